package io.conceptseg.api.stage;

import io.conceptseg.api.image.ImageData;

/** Letterboxes and normalises an image and runs the vision stage: multi-scale features. */
public interface VisionEncoder {
    /** Encodes one image (batch 1). */
    ImageEmbedding encode(ModelSession session, ImageData image);
}

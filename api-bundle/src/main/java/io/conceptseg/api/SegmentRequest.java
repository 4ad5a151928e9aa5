package io.conceptseg.api;

import io.conceptseg.api.image.ImageData;
import java.util.List;

/**
 * Segment every prompt on one image. The image is encoded once; all prompts share it.
 *
 * @param image the decoded image
 * @param prompts one or more concepts
 * @param options thresholds, backend and model choices
 */
public record SegmentRequest(ImageData image, List<ConceptPrompt> prompts, SegmentOptions options) {
    /** Checks the request is complete. */
    public SegmentRequest {
        if (image == null) {
            throw new InvalidInputException("image", "no image given");
        }
        if (prompts == null || prompts.isEmpty()) {
            throw new InvalidInputException("prompts", "give at least one phrase or exemplar");
        }
        prompts = List.copyOf(prompts);
        options = options == null ? SegmentOptions.DEFAULTS : options;
    }
}

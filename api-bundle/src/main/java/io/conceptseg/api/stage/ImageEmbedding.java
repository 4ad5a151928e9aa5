package io.conceptseg.api.stage;

import io.conceptseg.api.backend.Tensor;
import java.util.Map;

/**
 * The vision stage's outputs for one image (batch 1), computed once and shared by every prompt.
 *
 * @param imageName the image's name
 * @param letterbox how the image maps to the model input
 * @param features vision outputs by name (fpn_feat_i, fpn_pos_i)
 */
public record ImageEmbedding(String imageName, Letterbox letterbox, Map<String, Tensor> features) {
    /** Copies the map. */
    public ImageEmbedding { features = Map.copyOf(features); }
}

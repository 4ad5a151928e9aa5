package io.conceptseg.api.stage;

import io.conceptseg.api.backend.Tensor;
import java.util.Map;

/**
 * The fusion stage's outputs for a batch of prompts (image tokens that have attended to prompts).
 *
 * @param tensors outputs by name (fused_features)
 */
public record FusedFeatures(Map<String, Tensor> tensors) {
    /** Copies the map. */
    public FusedFeatures { tensors = Map.copyOf(tensors); }
}

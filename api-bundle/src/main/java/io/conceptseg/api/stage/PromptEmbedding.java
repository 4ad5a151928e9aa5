package io.conceptseg.api.stage;

import io.conceptseg.api.backend.Tensor;

/**
 * The prompt tokens of a batch of prompts: per prompt its text tokens then its geometry tokens,
 * padded to the longest prompt.
 *
 * @param features prompt_features [B, P, D]
 * @param mask prompt_mask [B, P], 1 for a real token
 */
public record PromptEmbedding(Tensor features, Tensor mask) {
}

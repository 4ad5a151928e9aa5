package io.conceptseg.api.stage;

import io.conceptseg.api.backend.Tensor;
import java.util.List;

/**
 * Text stage outputs for a batch of phrases.
 *
 * @param phrases the phrases, in batch order
 * @param features [B, L, D]
 * @param mask [B, L], 1 for a real token
 */
public record TextEmbedding(List<String> phrases, Tensor features, Tensor mask) {
    /** Copies the list. */
    public TextEmbedding { phrases = List.copyOf(phrases); }
}

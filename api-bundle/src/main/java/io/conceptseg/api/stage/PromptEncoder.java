package io.conceptseg.api.stage;

import io.conceptseg.api.ConceptPrompt;
import java.util.List;

/**
 * The geometry/exemplar encoder: turns each prompt's boxes and points into tokens pooled from the
 * image features, and joins them with its text tokens into the prompt batch.
 */
public interface PromptEncoder {
    /**
     * @param text the text embedding of the prompts that have a phrase, in prompt order (may be null when none has)
     */
    PromptEmbedding encode(ModelSession session, ImageEmbedding image, List<ConceptPrompt> prompts, TextEmbedding text);
}

package io.conceptseg.api.stage;

import java.util.List;

/** Tokenises phrases and runs the text stage, caching embeddings per phrase. */
public interface TextEncoder {
    /**
     * Encodes phrases as one batch.
     *
     * @throws io.conceptseg.api.InvalidInputException naming the phrase when it is empty or longer than the text context
     */
    TextEmbedding encode(ModelSession session, List<String> phrases);
}

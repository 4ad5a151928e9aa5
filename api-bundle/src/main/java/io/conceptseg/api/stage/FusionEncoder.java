package io.conceptseg.api.stage;

/** Lets image tokens attend to prompt tokens (the fusion stage), for a batch of prompts. */
public interface FusionEncoder {
    /** Fuses the image with each prompt of the batch. */
    FusedFeatures fuse(ModelSession session, ImageEmbedding image, PromptEmbedding prompts);
}

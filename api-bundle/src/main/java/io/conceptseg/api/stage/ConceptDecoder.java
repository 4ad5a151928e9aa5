package io.conceptseg.api.stage;

import io.conceptseg.api.ConceptPrompt;
import io.conceptseg.api.PromptResult;
import java.util.List;

/**
 * The DETR-style decoder: learned queries predict a box, a match logit and a mask each; scores
 * come from the {@link PresenceHead}; masks are upsampled to the original image and RLE-encoded.
 */
public interface ConceptDecoder {
    /** Decodes every prompt of the batch into its detections, best first. */
    List<PromptResult> decode(ModelSession session, ImageEmbedding image, PromptEmbedding prompts,
            FusedFeatures fused, List<ConceptPrompt> promptList, DecodeOptions options);
}

package io.conceptseg.api.stage;

/**
 * Turns the decoder's presence logit (is the concept in the image at all?) and per-query match
 * logits into final scores: p(match) x p(present). Decoupling recognition from localisation is
 * what lets the model answer "nothing" for an absent concept.
 */
public interface PresenceHead {
    /** p(present) from the presence logit. */
    double presence(float presenceLogit);

    /** Final score per query. */
    double[] scores(float[] matchLogits, float presenceLogit);
}

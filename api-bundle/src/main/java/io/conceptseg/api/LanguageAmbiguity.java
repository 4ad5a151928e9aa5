package io.conceptseg.api;

/**
 * How much the answer depends on the wording: over pairs on the same image whose phrases name the
 * same concept (synonyms, singular and plural, e.g. "screw" and "bolts"), how well their predicted
 * mask sets agree. 1 means the wording never changes the answer.
 *
 * @param maskAgreement mean over compared phrase pairs of the IoU of the two union masks (two empty
 *        answers agree fully); NaN when nothing was compared
 * @param presenceAgreement share of compared phrase pairs that agree on "at least one prediction";
 *        NaN when nothing was compared
 * @param comparisons phrase pairs compared
 * @param probes extra phrasings the evaluation asked the model itself (0 when scoring a results file)
 */
public record LanguageAmbiguity(double maskAgreement, double presenceAgreement, int comparisons, int probes) {
}

package io.conceptseg.api;

import java.util.List;

/**
 * The SA-Co metrics of a set of (image, phrase) pairs (a whole data set, one concept kind, one
 * concept). Ratios whose denominator is 0 are 0 (so a set without positives has pmF1 0, and a set
 * whose image-level decisions are all of one class has IL_MCC 0), except {@code groundingError},
 * which is NaN when nothing matched.
 *
 * @param pairs (image, phrase) pairs
 * @param positivePairs pairs with at least one ground-truth mask
 * @param groundTruths ground-truth masks
 * @param predictions predictions at or above the score threshold
 * @param cgF1 100 x pmF1 x IL_MCC
 * @param pmF1 micro F1 over the positive pairs, averaged over IoU thresholds 0.50:0.05:0.95
 * @param ilMcc Matthews correlation of "at least one prediction" against "at least one ground truth" over all pairs
 * @param f1At50 micro F1 at IoU 0.5 over all pairs (predictions on negative pairs count as false positives)
 * @param precisionAt50 TP / (TP + FP) at IoU 0.5 over all pairs
 * @param conceptRecall TP / (TP + FN) at IoU 0.5
 * @param groundingError mean over matches with IoU at least 0.5 of the mean absolute difference of the
 *        predicted and true box [x, y, w, h], x and w divided by the image width, y and h by its height
 * @param ilTp pairs with ground truth and a prediction
 * @param ilFp pairs without ground truth but with a prediction
 * @param ilTn pairs with neither
 * @param ilFn pairs with ground truth but no prediction
 * @param tpAt50 matches with IoU at least 0.5
 * @param fpAt50 predictions not matched at IoU 0.5
 * @param fnAt50 ground truths not matched at IoU 0.5
 * @param pmF1ByIou pmF1 at each IoU threshold 0.50, 0.55, ..., 0.95
 * @param errors why the false positives and negatives at IoU 0.5 are wrong; null when the scorer
 *        did not break them down (metrics made with the 1.1 constructor)
 */
public record EvalMetrics(int pairs, int positivePairs, int groundTruths, int predictions,
        double cgF1, double pmF1, double ilMcc, double f1At50, double precisionAt50, double conceptRecall,
        double groundingError, int ilTp, int ilFp, int ilTn, int ilFn, int tpAt50, int fpAt50, int fnAt50,
        List<Double> pmF1ByIou, ErrorBreakdown errors) {
    /** Copies the list. */
    public EvalMetrics { pmF1ByIou = List.copyOf(pmF1ByIou); }

    /** The metrics without an error breakdown: the constructor of API 1.1, kept for its callers. */
    public EvalMetrics(int pairs, int positivePairs, int groundTruths, int predictions,
            double cgF1, double pmF1, double ilMcc, double f1At50, double precisionAt50, double conceptRecall,
            double groundingError, int ilTp, int ilFp, int ilTn, int ilFn, int tpAt50, int fpAt50, int fnAt50,
            List<Double> pmF1ByIou) {
        this(pairs, positivePairs, groundTruths, predictions, cgF1, pmF1, ilMcc, f1At50, precisionAt50, conceptRecall,
                groundingError, ilTp, ilFp, ilTn, ilFn, tpAt50, fpAt50, fnAt50, pmF1ByIou, null);
    }
}

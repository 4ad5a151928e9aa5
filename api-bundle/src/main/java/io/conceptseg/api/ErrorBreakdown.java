package io.conceptseg.api;

/**
 * Why predictions and ground truths went unmatched at IoU 0.5, so a user can tell a model that
 * mistakes concepts (recognition) from one that finds the right objects but outlines them badly
 * (localisation). Each false positive and each false negative at IoU 0.5 falls in exactly one class:
 * {@code fpAbsentConcept + fpDuplicate + fpPoorlyLocalised + fpBackground} is
 * {@link EvalMetrics#fpAt50()} and {@code fnPoorlyLocalised + fnMissed} is {@link EvalMetrics#fnAt50()}.
 * A prediction's or ground truth's best IoU is its largest mask IoU with any ground truth or
 * prediction of the same pair.
 *
 * @param fpAbsentConcept predictions on pairs without ground truth: the concept is not in the image
 * @param fpDuplicate unmatched predictions whose best IoU is at least 0.5: a second answer for an
 *        object another prediction took
 * @param fpPoorlyLocalised unmatched predictions whose best IoU is at least {@link #LOCALISATION_FLOOR}
 *        but below 0.5: the right object, badly outlined
 * @param fpBackground unmatched predictions on positive pairs whose best IoU is below
 *        {@link #LOCALISATION_FLOOR}: background or an object of another concept
 * @param fnPoorlyLocalised unmatched ground truths whose best IoU is at least {@link #LOCALISATION_FLOOR}
 * @param fnMissed unmatched ground truths no prediction comes near (best IoU below {@link #LOCALISATION_FLOOR})
 */
public record ErrorBreakdown(int fpAbsentConcept, int fpDuplicate, int fpPoorlyLocalised, int fpBackground,
        int fnPoorlyLocalised, int fnMissed) {
    /** The IoU below which an unmatched prediction and a ground truth count as unrelated (as in COCO/TIDE error analysis). */
    public static final double LOCALISATION_FLOOR = 0.1;

    /** Nothing unmatched. */
    public static final ErrorBreakdown NONE = new ErrorBreakdown(0, 0, 0, 0, 0, 0);

    /** False positives in all. */
    public int falsePositives() {
        return fpAbsentConcept + fpDuplicate + fpPoorlyLocalised + fpBackground;
    }

    /** False negatives in all. */
    public int falseNegatives() {
        return fnPoorlyLocalised + fnMissed;
    }

    /** The sum of two breakdowns. */
    public ErrorBreakdown plus(ErrorBreakdown o) {
        return new ErrorBreakdown(fpAbsentConcept + o.fpAbsentConcept, fpDuplicate + o.fpDuplicate,
                fpPoorlyLocalised + o.fpPoorlyLocalised, fpBackground + o.fpBackground,
                fnPoorlyLocalised + o.fnPoorlyLocalised, fnMissed + o.fnMissed);
    }
}

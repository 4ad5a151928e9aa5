package io.conceptseg.pipeline.eval;

import io.conceptseg.api.ErrorBreakdown;
import java.util.ArrayList;
import java.util.List;

/**
 * The matching of one (image, phrase) pair: how many ground truths and predictions it has, and the
 * IoU (and box error) of each matched couple of the optimal one-to-one assignment. Matches of low IoU
 * are kept: each IoU threshold decides which of them count as true positives.
 *
 * @param groundTruths ground-truth masks
 * @param predictions predictions at or above the score threshold
 * @param matchedIou IoU of each assigned (prediction, ground truth)
 * @param matchedBoxError for each assigned couple, the mean over [x, y, w, h] of the absolute box
 *        difference, x and w divided by the image width, y and h by its height
 * @param errors why the unmatched predictions and ground truths at IoU 0.5 are unmatched
 */
record PairOutcome(int groundTruths, int predictions, double[] matchedIou, double[] matchedBoxError, ErrorBreakdown errors) {
    /** The IoU at which errors are broken down: the first SA-Co threshold, that of FP@0.5 and FN@0.5. */
    static final double ERROR_IOU = MetricsAccumulator.IOU_THRESHOLDS[0];

    /**
     * Matches predictions to ground truths by mask IoU, maximising the total IoU (SA-Co protocol).
     *
     * @param groundTruths the pair's ground-truth masks
     * @param predictions the pair's predictions already filtered by the score threshold
     */
    static PairOutcome match(List<Instance> groundTruths, List<Instance> predictions) {
        int g = groundTruths.size();
        int d = predictions.size();
        if (g == 0 || d == 0) {
            return new PairOutcome(g, d, new double[0], new double[0], new ErrorBreakdown(g == 0 ? d : 0, 0, 0, 0, 0, g));
        }
        double[][] iou = new double[d][g];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < g; j++) {
                Instance gt = groundTruths.get(j);
                iou[i][j] = predictions.get(i).mask().iou(gt.mask(), gt.crowd());
            }
        }
        int[] assigned = Hungarian.maximise(iou);
        List<double[]> matches = new ArrayList<>();
        for (int i = 0; i < d; i++) {
            int j = assigned[i];
            if (j >= 0) {
                Instance gt = groundTruths.get(j);
                matches.add(new double[] {iou[i][j], boxError(predictions.get(i).box(), gt.box(), gt.mask().width, gt.mask().height)});
            }
        }
        double[] ious = new double[matches.size()];
        double[] errors = new double[matches.size()];
        for (int k = 0; k < matches.size(); k++) {
            ious[k] = matches.get(k)[0];
            errors[k] = matches.get(k)[1];
        }
        return new PairOutcome(g, d, ious, errors, breakDown(iou, assigned));
    }

    /** Classes each prediction and ground truth left unmatched at {@link #ERROR_IOU} by its best IoU in the pair. */
    private static ErrorBreakdown breakDown(double[][] iou, int[] assigned) {
        int duplicate = 0;
        int poorPrediction = 0;
        int background = 0;
        boolean[] truthMatched = new boolean[iou[0].length];
        for (int i = 0; i < iou.length; i++) {
            if (assigned[i] >= 0 && iou[i][assigned[i]] >= ERROR_IOU) {
                truthMatched[assigned[i]] = true;
                continue;
            }
            double best = 0;
            for (double v : iou[i]) {
                best = Math.max(best, v);
            }
            if (best >= ERROR_IOU) {
                duplicate++;
            } else if (best >= ErrorBreakdown.LOCALISATION_FLOOR) {
                poorPrediction++;
            } else {
                background++;
            }
        }
        int poorTruth = 0;
        int missed = 0;
        for (int j = 0; j < truthMatched.length; j++) {
            if (truthMatched[j]) {
                continue;
            }
            double best = 0;
            for (double[] row : iou) {
                best = Math.max(best, row[j]);
            }
            if (best >= ErrorBreakdown.LOCALISATION_FLOOR) {
                poorTruth++;
            } else {
                missed++;
            }
        }
        return new ErrorBreakdown(0, duplicate, poorPrediction, background, poorTruth, missed);
    }

    /** Mean absolute difference of two [x, y, w, h] boxes, normalised by the image size. */
    static double boxError(double[] predicted, double[] truth, int width, int height) {
        double w = Math.max(1, width);
        double h = Math.max(1, height);
        return (Math.abs(predicted[0] - truth[0]) / w + Math.abs(predicted[1] - truth[1]) / h
                + Math.abs(predicted[2] - truth[2]) / w + Math.abs(predicted[3] - truth[3]) / h) / 4;
    }

    /** Matches with IoU at least {@code threshold}: the true positives at that threshold. */
    int truePositives(double threshold) {
        int tp = 0;
        for (double v : matchedIou) {
            if (v >= threshold) {
                tp++;
            }
        }
        return tp;
    }
}

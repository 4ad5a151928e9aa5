package io.conceptseg.pipeline.eval;

import io.conceptseg.api.ErrorBreakdown;
import io.conceptseg.api.EvalMetrics;
import java.util.ArrayList;
import java.util.List;

/**
 * Sums pair outcomes into the SA-Co metrics, as the reference evaluator (SAM3's CGF1Eval) does but
 * without its smoothing epsilons, so that perfect predictions give exactly cgF1 = 100:
 * <ul>
 * <li>pmF1: at each IoU threshold t, TP/FP/FN summed over the positive pairs (at least one ground
 *     truth; a true positive is a match with IoU >= t), F1 = 2TP / (2TP + FP + FN); then the mean
 *     over the ten thresholds.</li>
 * <li>IL_MCC: over every pair, the image-level decision "at least one prediction" against "at least
 *     one ground truth"; MCC = (TP TN - FP FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)), and 0 when a
 *     factor of the denominator is 0 (all pairs on one side of a decision: no correlation can be
 *     measured; the reference's +1e-6 gives the same 0).</li>
 * <li>cgF1 = 100 x pmF1 x IL_MCC.</li>
 * </ul>
 * Every other ratio is also 0 when its denominator is 0.
 */
final class MetricsAccumulator {
    /** IoU thresholds 0.50:0.05:0.95, the same doubles as NumPy's linspace(.5, .95, 10) in pycocotools. */
    static final double[] IOU_THRESHOLDS = thresholds();

    private int pairs;
    private int positivePairs;
    private int groundTruths;
    private int predictions;
    private final long[] posTp = new long[IOU_THRESHOLDS.length];
    private final long[] posFp = new long[IOU_THRESHOLDS.length];
    private final long[] posFn = new long[IOU_THRESHOLDS.length];
    private long allTp50;
    private long allFp50;
    private long allFn50;
    private int ilTp;
    private int ilFp;
    private int ilTn;
    private int ilFn;
    private double boxErrorSum;
    private int boxErrors;
    private ErrorBreakdown errors = ErrorBreakdown.NONE;

    private static double[] thresholds() {
        double start = 0.5;
        double stop = 0.95;
        int num = 10;
        double step = (stop - start) / (num - 1);
        double[] t = new double[num];
        for (int i = 0; i < num; i++) {
            t[i] = i * step + start;
        }
        t[num - 1] = stop;
        return t;
    }

    /** Adds one pair. */
    MetricsAccumulator add(PairOutcome o) {
        pairs++;
        groundTruths += o.groundTruths();
        predictions += o.predictions();
        boolean hasGt = o.groundTruths() > 0;
        boolean hasDt = o.predictions() > 0;
        if (hasGt && hasDt) {
            ilTp++;
        } else if (hasDt) {
            ilFp++;
        } else if (hasGt) {
            ilFn++;
        } else {
            ilTn++;
        }
        if (hasGt) {
            positivePairs++;
            for (int t = 0; t < IOU_THRESHOLDS.length; t++) {
                int tp = o.truePositives(IOU_THRESHOLDS[t]);
                posTp[t] += tp;
                posFp[t] += o.predictions() - tp;
                posFn[t] += o.groundTruths() - tp;
            }
        }
        errors = errors.plus(o.errors());
        int tp50 = o.truePositives(IOU_THRESHOLDS[0]);
        allTp50 += tp50;
        allFp50 += o.predictions() - tp50;
        allFn50 += o.groundTruths() - tp50;
        for (int k = 0; k < o.matchedIou().length; k++) {
            if (o.matchedIou()[k] >= IOU_THRESHOLDS[0]) {
                boxErrorSum += o.matchedBoxError()[k];
                boxErrors++;
            }
        }
        return this;
    }

    /** The metrics of the pairs added so far. */
    EvalMetrics metrics() {
        List<Double> byIou = new ArrayList<>();
        double sum = 0;
        for (int t = 0; t < IOU_THRESHOLDS.length; t++) {
            double f1 = f1(posTp[t], posFp[t], posFn[t]);
            byIou.add(f1);
            sum += f1;
        }
        double pmF1 = sum / IOU_THRESHOLDS.length;
        double mcc = mcc(ilTp, ilFp, ilTn, ilFn);
        return new EvalMetrics(pairs, positivePairs, groundTruths, predictions,
                100 * pmF1 * mcc, pmF1, mcc, f1(allTp50, allFp50, allFn50), ratio(allTp50, allTp50 + allFp50),
                ratio(allTp50, allTp50 + allFn50), boxErrors == 0 ? Double.NaN : boxErrorSum / boxErrors,
                ilTp, ilFp, ilTn, ilFn, (int) allTp50, (int) allFp50, (int) allFn50, byIou, errors);
    }

    /** 2TP / (2TP + FP + FN), the F1 of precision TP/(TP+FP) and recall TP/(TP+FN); 0 when TP is 0. */
    static double f1(long tp, long fp, long fn) {
        return tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
    }

    /** Matthews correlation coefficient; 0 when any factor of the denominator is 0. */
    static double mcc(long tp, long fp, long tn, long fn) {
        double den = (double) (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn);
        return den == 0 ? 0 : ((double) tp * tn - (double) fp * fn) / Math.sqrt(den);
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }
}

package io.conceptseg.pipeline.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ErrorBreakdown;
import io.conceptseg.api.EvalMetrics;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SA-Co sums on hand-made pair outcomes; every expected number is worked out in a comment. */
class MetricsAccumulatorTest {
    private static final double EPS = 1e-12;

    private static PairOutcome outcome(int gt, int dt, double... ious) {
        return new PairOutcome(gt, dt, ious, new double[ious.length], ErrorBreakdown.NONE);
    }

    @Test
    void thresholdsAreNumpysLinspace() {
        // np.linspace(.5, .95, 10).tolist() == [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95]
        assertArrayEquals(new double[] {0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95},
                MetricsAccumulator.IOU_THRESHOLDS, 0);
    }

    @Test
    void emptySetIsAllZero() {
        EvalMetrics m = new MetricsAccumulator().metrics();
        assertEquals(0, m.pairs());
        assertEquals(0, m.cgF1());
        assertEquals(0, m.pmF1());
        assertEquals(0, m.ilMcc());
        assertEquals(0, m.f1At50());
        assertEquals(0, m.conceptRecall());
        assertTrue(Double.isNaN(m.groundingError()));
        assertEquals(10, m.pmF1ByIou().size());
    }

    @Test
    void allNegativeSetHasMccZeroByDefinition() {
        // three negative pairs, one of them with a prediction: IL TP 0, FP 1, TN 2, FN 0
        // MCC denominator (TP+FP)(TP+FN)(TN+FP)(TN+FN) = 1 * 0 * 3 * 2 = 0 -> MCC defined as 0
        // no positive pair -> pmF1 = 0; cgF1 = 0; F1@0.5: TP 0 FP 1 FN 0 -> 0
        MetricsAccumulator acc = new MetricsAccumulator().add(outcome(0, 0)).add(outcome(0, 1)).add(outcome(0, 0));
        EvalMetrics m = acc.metrics();
        assertEquals(3, m.pairs());
        assertEquals(0, m.positivePairs());
        assertEquals(1, m.ilFp());
        assertEquals(2, m.ilTn());
        assertEquals(0, m.ilMcc());
        assertEquals(0, m.pmF1());
        assertEquals(0, m.cgF1());
        assertEquals(0, m.f1At50());
        assertEquals(1, m.fpAt50());
    }

    @Test
    void perfectPredictionsScoreExactlyOneHundred() {
        // two positive pairs answered exactly (IoU 1), one negative left empty:
        // pmF1 = 1 at every threshold; IL TP 2, TN 1 -> MCC = (2*1 - 0) / sqrt(2*2*1*1) = 1; cgF1 = 100 * 1 * 1
        EvalMetrics m = new MetricsAccumulator().add(outcome(2, 2, 1.0, 1.0)).add(outcome(1, 1, 1.0)).add(outcome(0, 0)).metrics();
        assertEquals(100, m.cgF1(), 0);
        assertEquals(1, m.pmF1(), 0);
        assertEquals(1, m.ilMcc(), 0);
        assertEquals(1, m.f1At50(), 0);
        assertEquals(1, m.conceptRecall(), 0);
    }

    @Test
    void partialCase() {
        // A: 2 GT, 2 predictions, matched IoUs 0.92 and 0.62 (box errors 0.02, 0.04)
        // B: 1 GT, no prediction
        // C: negative with 1 prediction
        // D: negative, no prediction
        // E: 1 GT, 2 predictions, one matched at IoU 0.72 (box error 0.06)
        MetricsAccumulator acc = new MetricsAccumulator()
                .add(new PairOutcome(2, 2, new double[] {0.92, 0.62}, new double[] {0.02, 0.04}, ErrorBreakdown.NONE))
                .add(outcome(1, 0))
                .add(outcome(0, 1))
                .add(outcome(0, 0))
                .add(new PairOutcome(1, 2, new double[] {0.72}, new double[] {0.06}, ErrorBreakdown.NONE));
        EvalMetrics m = acc.metrics();
        // positive pairs A, B, E: GT 2+1+1 = 4, predictions 2+0+2 = 4, so FP = FN = 4 - TP and F1 = 2TP/8 = TP/4
        // TP per threshold .50 .55 .60 | .65 .70 | .75 .80 .85 .90 | .95
        //   A (0.92, 0.62):  2   2   2  |  1   1  |  1   1   1   1  |  0
        //   E (0.72):        1   1   1  |  1   1  |  0   0   0   0  |  0
        //   sum:             3   3   3  |  2   2  |  1   1   1   1  |  0
        // F1 = TP/4:       .75 .75 .75 | .5  .5  | .25 .25 .25 .25 |  0  -> sum 4.25, pmF1 = 0.425
        double[] f1 = {.75, .75, .75, .5, .5, .25, .25, .25, .25, 0};
        for (int t = 0; t < 10; t++) {
            assertEquals(f1[t], m.pmF1ByIou().get(t), EPS, "threshold " + t);
        }
        assertEquals(0.425, m.pmF1(), EPS);
        // IL: A TP, B FN, C FP, D TN, E TP -> TP 2, FP 1, TN 1, FN 1
        // MCC = (2*1 - 1*1) / sqrt((2+1)(2+1)(1+1)(1+1)) = 1/6
        assertEquals(2, m.ilTp());
        assertEquals(1, m.ilFp());
        assertEquals(1, m.ilTn());
        assertEquals(1, m.ilFn());
        assertEquals(1.0 / 6, m.ilMcc(), EPS);
        // cgF1 = 100 * 0.425 / 6 = 7.08333...
        assertEquals(100 * 0.425 / 6, m.cgF1(), 1e-9);
        // all pairs at 0.5: TP 3; FP A0 + B0 + C1 + D0 + E1 = 2; FN A0 + B1 + E0 = 1
        // F1@0.5 = 6 / (6 + 2 + 1) = 2/3; precision 3/5; recall 3/4
        assertEquals(3, m.tpAt50());
        assertEquals(2, m.fpAt50());
        assertEquals(1, m.fnAt50());
        assertEquals(2.0 / 3, m.f1At50(), EPS);
        assertEquals(0.6, m.precisionAt50(), EPS);
        assertEquals(0.75, m.conceptRecall(), EPS);
        // grounding error: all three matches have IoU >= 0.5 -> (0.02 + 0.04 + 0.06) / 3 = 0.04
        assertEquals(0.04, m.groundingError(), EPS);
        assertEquals(5, m.pairs());
        assertEquals(3, m.positivePairs());
        assertEquals(4, m.groundTruths());
        assertEquals(5, m.predictions());
    }

    @Test
    void iouExactlyAtAThresholdCounts() {
        // IoU 0.75 against threshold 0.75 (a double equal to 0.75): a TP, as in pycocotools (>=)
        EvalMetrics m = new MetricsAccumulator().add(outcome(1, 1, 0.75)).add(outcome(0, 0)).metrics();
        // TP at .50 ... .75 (6 thresholds), F1 1; at .80 ... .95 (4 thresholds) TP 0, F1 0 -> pmF1 0.6
        assertEquals(List.of(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0), m.pmF1ByIou());
        assertEquals(0.6, m.pmF1(), EPS);
    }

    @Test
    void mccByHand() {
        // (TP TN - FP FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)):
        // TP 5, FP 1, TN 3, FN 1 -> (15 - 1) / sqrt(6 * 6 * 4 * 4) = 14 / 24
        assertEquals(14.0 / 24, MetricsAccumulator.mcc(5, 1, 3, 1), EPS);
        // all wrong: TP 0, FP 2, TN 0, FN 2 -> (0 - 4) / sqrt(2 * 2 * 2 * 2) = -1
        assertEquals(-1, MetricsAccumulator.mcc(0, 2, 0, 2), EPS);
        // no positive decisions at all: (TP+FP) = 0 -> 0
        assertEquals(0, MetricsAccumulator.mcc(0, 0, 4, 3), 0);
    }

    @Test
    void errorBreakdownsAddUpAndEmptyIsNone() {
        assertEquals(ErrorBreakdown.NONE, new MetricsAccumulator().metrics().errors());
        EvalMetrics m = new MetricsAccumulator()
                .add(new PairOutcome(0, 2, new double[0], new double[0], new ErrorBreakdown(2, 0, 0, 0, 0, 0)))
                .add(new PairOutcome(2, 1, new double[] {0.3}, new double[] {0.1}, new ErrorBreakdown(0, 0, 1, 0, 1, 1)))
                .metrics();
        assertEquals(new ErrorBreakdown(2, 0, 1, 0, 1, 1), m.errors());
        // FP@0.5 = 2 on the negative pair + 1 unmatched = 3; FN@0.5 = 2 ground truths, none matched
        assertEquals(m.fpAt50(), m.errors().falsePositives());
        assertEquals(m.fnAt50(), m.errors().falseNegatives());
    }
}

package io.conceptseg.pipeline.eval;

import static io.conceptseg.pipeline.eval.LineSets.instance;
import static io.conceptseg.pipeline.eval.LineSets.mask;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.conceptseg.api.ErrorBreakdown;
import io.conceptseg.commons.rle.RunMask;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Hungarian assignment and the per-pair IoU matching. */
class MatchingTest {
    @Test
    void optimalWhereGreedyIsNot() {
        // greedy takes the largest IoU (row 0 -> col 0, 0.857) and is left with 0.28; the optimum is 0.696 + 0.6
        double[][] w = {{18.0 / 21, 16.0 / 23}, {0.6, 0.28}};
        assertArrayEquals(new int[] {1, 0}, Hungarian.maximise(w));
    }

    @Test
    void rectangularBothWays() {
        assertArrayEquals(new int[] {-1, 0, -1}, Hungarian.maximise(new double[][] {{0.1}, {0.9}, {0.3}}));
        assertArrayEquals(new int[] {2}, Hungarian.maximise(new double[][] {{0.1, 0.2, 0.7}}));
        assertArrayEquals(new int[0], Hungarian.maximise(new double[0][0]));
        assertArrayEquals(new int[] {-1, -1}, Hungarian.maximise(new double[2][0]));
    }

    @Test
    void matchesBruteForceOnRandomMatrices() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 400; trial++) {
            int rows = 1 + rnd.nextInt(5);
            int cols = 1 + rnd.nextInt(5);
            double[][] w = new double[rows][cols];
            for (double[] r : w) {
                for (int c = 0; c < cols; c++) {
                    r[c] = rnd.nextInt(4) == 0 ? 0 : rnd.nextDouble();
                }
            }
            int[] a = Hungarian.maximise(w);
            double got = 0;
            boolean[] used = new boolean[cols];
            int assigned = 0;
            for (int r = 0; r < rows; r++) {
                if (a[r] >= 0) {
                    assertEquals(false, used[a[r]], "column used twice");
                    used[a[r]] = true;
                    got += w[r][a[r]];
                    assigned++;
                }
            }
            assertEquals(Math.min(rows, cols), assigned);
            assertEquals(best(w, 0, new boolean[cols]), got, 1e-9, "trial " + trial);
        }
    }

    private static double best(double[][] w, int row, boolean[] used) {
        if (row == w.length) {
            return 0;
        }
        double skip = w.length > w[0].length ? best(w, row + 1, used) : Double.NEGATIVE_INFINITY;
        double b = skip;
        for (int c = 0; c < used.length; c++) {
            if (!used[c]) {
                used[c] = true;
                b = Math.max(b, w[row][c] + best(w, row + 1, used));
                used[c] = false;
            }
        }
        return b == Double.NEGATIVE_INFINITY ? 0 : b;
    }

    @Test
    void pairMatchingByMaskIouAndBoxError() {
        // 1 x 30 image. G1 = [0,20), G2 = [5,25); P1 = [2,21), P2 = [0,12)
        // IoU(P1,G1) = 18/21 = 0.857, IoU(P1,G2) = 16/23 = 0.696, IoU(P2,G1) = 12/20 = 0.6, IoU(P2,G2) = 7/25 = 0.28
        // optimal: P1-G2 + P2-G1 (1.296 > 0.857 + 0.28)
        PairOutcome o = PairOutcome.match(List.of(instance(0, 20), instance(5, 25)), List.of(instance(2, 21), instance(0, 12)));
        assertArrayEquals(new double[] {16.0 / 23, 0.6}, o.matchedIou(), 1e-12);
        assertEquals(2, o.truePositives(0.5));
        assertEquals(1, o.truePositives(0.65));
        assertEquals(0, o.truePositives(0.7));
        // boxes [x, 0, w, 1], width 30: P1 [2,0,19,1] vs G2 [5,0,20,1] -> (3/30 + 0 + 1/30 + 0) / 4 = 1/30
        //                               P2 [0,0,12,1] vs G1 [0,0,20,1] -> (0 + 0 + 8/30 + 0) / 4 = 1/15
        assertArrayEquals(new double[] {1.0 / 30, 1.0 / 15}, o.matchedBoxError(), 1e-12);
    }

    @Test
    void pairsWithoutOneSideHaveNoMatches() {
        PairOutcome o = PairOutcome.match(List.of(), List.of(instance(0, 3)));
        assertEquals(0, o.matchedIou().length);
        assertEquals(1, o.predictions());
        o = PairOutcome.match(List.of(instance(0, 3), instance(4, 6)), List.of());
        assertEquals(2, o.groundTruths());
        assertEquals(0, o.truePositives(0.5));
    }

    @Test
    void crowdIouDividesByThePredictionArea() {
        // pycocotools: against a crowd region the union is the detection's area: [0,5) in crowd [0,20) -> 5/5
        assertEquals(1.0, mask(0, 5).iou(mask(0, 20), true), 0);
        assertEquals(0.25, mask(0, 5).iou(mask(0, 20), false), 0);
        assertEquals(0.0, RunMask.empty(1, 30).iou(RunMask.empty(1, 30), false), 0);
    }

    @Test
    void errorsAreClassedByTheirBestIou() {
        // 1 x 30 image. G1 = [0,10), G2 = [20,30)
        // P1 = [0,10): IoU 1 with G1, matched.   P2 = [1,10): IoU 0.9 with G1 too, but G1 is taken -> duplicate
        // P3 = [12,18): IoU 0 with both -> background.   P4 = [24,27): IoU 0.3 with G2 -> poorly localised
        // the assignment takes P1-G1 and P4-G2 (0.3 < 0.5), so G2 is a false negative with a prediction near it
        PairOutcome o = PairOutcome.match(List.of(instance(0, 10), instance(20, 30)),
                List.of(instance(0, 10), instance(1, 10), instance(12, 18), instance(24, 27)));
        assertEquals(new ErrorBreakdown(0, 1, 1, 1, 1, 0), o.errors());
        assertEquals(4 - o.truePositives(0.5), o.errors().falsePositives());
        assertEquals(2 - o.truePositives(0.5), o.errors().falseNegatives());
        // a ground truth with no prediction anywhere near (best IoU 1/12 < 0.1) is missed
        o = PairOutcome.match(List.of(instance(0, 11)), List.of(instance(10, 12)));
        assertEquals(new ErrorBreakdown(0, 0, 0, 1, 0, 1), o.errors());
    }

    @Test
    void errorsOfOneSidedPairs() {
        assertEquals(new ErrorBreakdown(2, 0, 0, 0, 0, 0), PairOutcome.match(List.of(), List.of(instance(0, 3), instance(5, 9))).errors());
        assertEquals(new ErrorBreakdown(0, 0, 0, 0, 0, 2), PairOutcome.match(List.of(instance(0, 3), instance(4, 6)), List.of()).errors());
        assertEquals(ErrorBreakdown.NONE, PairOutcome.match(List.of(), List.of()).errors());
        assertEquals(ErrorBreakdown.NONE, PairOutcome.match(List.of(instance(3, 9)), List.of(instance(3, 9))).errors());
    }
}

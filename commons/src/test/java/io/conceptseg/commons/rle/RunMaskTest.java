package io.conceptseg.commons.rle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.Rle;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Run-length masks against pixel arithmetic and against the sample data set written by pycocotools-exact code. */
class RunMaskTest {
    @Test
    void areaIntersectionUnionAndBoxMatchPixels() {
        Random rnd = new Random(3);
        for (int trial = 0; trial < 200; trial++) {
            int h = 1 + rnd.nextInt(12);
            int w = 1 + rnd.nextInt(12);
            boolean[] a = blob(rnd, h, w);
            boolean[] b = blob(rnd, h, w);
            RunMask ma = RunMask.of(a, h, w);
            RunMask mb = RunMask.of(b, h, w);
            long inter = 0;
            long areaA = 0;
            long either = 0;
            for (int i = 0; i < a.length; i++) {
                inter += a[i] && b[i] ? 1 : 0;
                areaA += a[i] ? 1 : 0;
                either += a[i] || b[i] ? 1 : 0;
            }
            assertEquals(areaA, ma.area);
            assertEquals(inter, ma.intersection(mb));
            assertEquals(either, RunMask.union(List.of(ma, mb), h, w).area);
            assertArrayEquals(pixelBox(a, h, w), ma.bbox(), 0, "trial " + trial);
        }
    }

    private static boolean[] blob(Random rnd, int h, int w) {
        boolean[] m = new boolean[h * w];
        double p = rnd.nextDouble();
        for (int i = 0; i < m.length; i++) {
            m[i] = rnd.nextDouble() < p;
        }
        return m;
    }

    private static double[] pixelBox(boolean[] m, int h, int w) {
        int x0 = w;
        int y0 = h;
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (m[y * w + x]) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        return x1 < 0 ? new double[4] : new double[] {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
    }

    @Test
    void uncompressedCountsAndBadRuns() {
        // counts [2, 3, 5] on 1 x 10: zeros 2, ones 3, zeros 5
        RunMask m = RunMask.fromCounts("x", 1, 10, new int[] {2, 3, 5});
        assertEquals(3, m.area);
        assertArrayEquals(new double[] {2, 0, 3, 1}, m.bbox(), 0);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> RunMask.fromCounts("annotations[4] (id 9)", 1, 10, new int[] {2, 3}));
        assertTrue(e.getMessage().startsWith("annotations[4] (id 9): malformed RLE"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> RunMask.of("entry 3", new Rle(4, 4, "!!")));
        assertTrue(e.getMessage().startsWith("entry 3: malformed RLE"), e.getMessage());
    }
}

package io.conceptseg.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.conceptseg.api.Rle;
import io.conceptseg.commons.rle.CocoRle;
import org.junit.jupiter.api.Test;

/**
 * Checks commons' CocoRle against compressed strings derived by hand from pycocotools' algorithm
 * (maskApi.c): rleEncode counts runs over the column-major mask starting with zeros; rleToString
 * writes each count (minus the count two before it, from the fourth on) as little-endian 5-bit
 * groups, each char = 48 + group, 0x20 set while more groups follow; a group whose bit 0x10 is set
 * needs another group unless the remaining value is -1 (sign extension on decode).
 */
class CocoRleStringsTest {

    /** Row-major mask of h x w with the listed (x, y) pixels on. */
    private static boolean[] mask(int h, int w, int[][] onPixels) {
        boolean[] m = new boolean[h * w];
        for (int[] p : onPixels) {
            m[p[1] * w + p[0]] = true;
        }
        return m;
    }

    private static void check(boolean[] mask, int h, int w, String expected, long area) {
        Rle rle = CocoRle.encode(mask, h, w);
        assertEquals(expected, rle.counts());
        assertEquals(h, rle.height());
        assertEquals(w, rle.width());
        assertArrayEquals(mask, CocoRle.decode("test", rle));
        assertEquals(area, CocoRle.area("test", rle));
    }

    @Test
    void emptyMaskIsOneRunOfZeros() {
        // counts [6]: 6 -> group 6, nothing left -> '0' + 6
        check(new boolean[6], 3, 2, "6", 0);
    }

    @Test
    void smallMaskRunsAreColumnMajor() {
        // rows: [0 1 1 / 0 1 0]; columns top-down: 0 0 | 1 1 | 1 0 -> counts [2, 3, 1] -> "231"
        check(mask(2, 3, new int[][] {{1, 0}, {2, 0}, {1, 1}}), 2, 3, "231", 3);
    }

    @Test
    void laterCountsAreDifferencesAndMayBeNegative() {
        // 10 x 5: column 0 rows 0-4 on, column 4 rows 5-6 on -> counts [0, 5, 40, 2, 3]
        // 0 -> '0'; 5 -> '5'; 40 = 8 + 1*32 -> (8|0x20)+48 = 'X', 1 -> '1';
        // 2-5 = -3 -> group 29 (0x10 set, rest -1, stop) -> 'M';
        // 3-40 = -37 -> group 27, rest -2 -> (27|0x20)+48 = 'k'; group 30, rest -1, stop -> 'N'
        int[][] on = {{0, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 4}, {4, 5}, {4, 6}};
        check(mask(10, 5, on), 10, 5, "05X1MkN", 7);
    }

    @Test
    void groupWithBit4SetNeedsAnExtraGroupForAPositiveCount() {
        // 4 x 8, columns 4-7 on -> counts [16, 16]; 16 has bit 0x10 set and rest 0 != -1,
        // so it is written as (16|0x20)+48 = '`' then '0'
        int[][] on = new int[16][];
        for (int i = 0; i < 16; i++) {
            on[i] = new int[] {4 + i / 4, i % 4};
        }
        check(mask(4, 8, on), 4, 8, "`0`0", 16);
    }

    @Test
    void largeCountTakesSeveralGroups() {
        // 461 x 217, last column rows 424-460 on: 216 * 461 + 424 = 100000 zeros, then 37 ones
        // 100000 = 0 + 21*32 + 1*32^2 + 3*32^3 -> 'P' (0|0x20), 'e' (21|0x20), 'Q' (1|0x20), '3'
        // 37 = 5 + 1*32 -> 'U' (5|0x20), '1'
        int h = 461;
        int w = 217;
        int[][] on = new int[37][];
        for (int i = 0; i < 37; i++) {
            on[i] = new int[] {216, 424 + i};
        }
        check(mask(h, w, on), h, w, "PeQ3U1", 37);
    }

    @Test
    void compressMatchesHandDerivedStringsFromCounts() {
        assertEquals("05X1MkN", CocoRle.compress(new int[] {0, 5, 40, 2, 3}, 5));
        assertEquals("PeQ3U1", CocoRle.compress(new int[] {100000, 37}, 2));
        assertArrayEquals(new int[] {0, 5, 40, 2, 3}, CocoRle.counts("test", "05X1MkN"));
    }
}

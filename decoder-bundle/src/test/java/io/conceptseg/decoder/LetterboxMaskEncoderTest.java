package io.conceptseg.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.conceptseg.api.stage.Letterbox;
import io.conceptseg.commons.rle.CocoRle;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class LetterboxMaskEncoderTest {

    /** Decodes an encoded mask to row-major booleans (all off when null). */
    private static boolean[] pixels(LetterboxMaskEncoder.EncodedMask m, int width, int height) {
        if (m == null) {
            return new boolean[width * height];
        }
        assertEquals(width, m.rle().width());
        assertEquals(height, m.rle().height());
        return CocoRle.decode("test", m.rle());
    }

    /**
     * Checks every pixel's upsampled logit against hand values: for thresholds just below and
     * just above each expected value, the mask must be exactly the pixels whose value is above it.
     */
    private static void assertPixelValues(LetterboxMaskEncoder enc, float[] grid, double[][] expected) {
        int h = expected.length;
        int w = expected[0].length;
        TreeSet<Double> values = new TreeSet<>();
        for (double[] row : expected) {
            for (double v : row) {
                values.add(v);
            }
        }
        for (double v : values) {
            for (double t : new double[] {v - 0.01, v + 0.01}) {
                boolean[] got = pixels(enc.encode(grid, 0, t), w, h);
                long area = 0;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        boolean want = expected[y][x] > t;
                        assertEquals(want, got[y * w + x], "pixel (" + x + "," + y + ") at threshold " + t
                                + ", expected logit " + expected[y][x]);
                        area += want ? 1 : 0;
                    }
                }
                LetterboxMaskEncoder.EncodedMask m = enc.encode(grid, 0, t);
                assertEquals(area, m == null ? 0 : m.area());
            }
        }
    }

    @Test
    void squareImageBilinearByHand() {
        // 8 x 8 image, S = 8 (scale 1), 2 x 2 grid (S/4). Grid coordinate of pixel i:
        // (i + 0.5) / 4 - 0.5 = -0.375, -0.125, 0.125, 0.375, 0.625, 0.875, 1.125, 1.375,
        // clamped to [0, 1] -> weights of grid cell 1:
        double[] w = {0, 0, 0.125, 0.375, 0.625, 0.875, 1, 1};
        // grid [[0, 4], [8, 20]]: value = 4 wx + 8 wy + 8 wx wy
        float[] grid = {0, 4, 8, 20};
        double[][] expected = new double[8][8];
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                expected[y][x] = 4 * w[x] + 8 * w[y] + 8 * w[x] * w[y];
            }
        }
        assertPixelValues(new LetterboxMaskEncoder(Letterbox.of(8, 8, 8), 2, 2), grid, expected);
    }

    @Test
    void nonSquareImageBilinearByHand() {
        // 6 x 3 image, S = 8: scale 8/6, content covers model rows [0, 4), padding rows [4, 8).
        // Column grid coordinate (x + 0.5) * (8/6) / 4 - 0.5 = (x + 0.5) / 3 - 0.5:
        // -1/3, 0 (well, 0), 1/3, 2/3, 1, 4/3 -> clamped weights of column 1:
        double[] wx = {0, 0, 1.0 / 3, 2.0 / 3, 1, 1};
        // rows likewise: -1/3, 0, 1/3 -> weights of row 1 (a row of pure padding):
        double[] wy = {0, 0, 1.0 / 3};
        float[] grid = {-6, 3, 9, 30};
        double[][] expected = new double[3][6];
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 6; x++) {
                double top = -6 * (1 - wx[x]) + 3 * wx[x];
                double bottom = 9 * (1 - wx[x]) + 30 * wx[x];
                expected[y][x] = top * (1 - wy[y]) + bottom * wy[y];
            }
        }
        assertPixelValues(new LetterboxMaskEncoder(Letterbox.of(6, 3, 8), 2, 2), grid, expected);
    }

    @Test
    void paddedAreaNeverProducesPixelsOutsideTheImage() {
        // 16 x 8 image, S = 16, 4 x 4 grid: grid rows 0-1 cover the image, rows 2-3 only padding.
        // Image row 7 has grid coordinate 7.5/4 - 0.5 = 1.375: 0.625 of row 1 and 0.375 of row 2;
        // row 6 (1.125) has 0.125 of row 2; grid row 3 is never read.
        float[] grid = new float[16];
        for (int i = 0; i < 16; i++) {
            grid[i] = i < 8 ? -50 : 50;
        }
        LetterboxMaskEncoder enc = new LetterboxMaskEncoder(Letterbox.of(16, 8, 16), 4, 4);
        // row 7: -50 * 0.625 + 50 * 0.375 = -12.5, row 6: -37.5: nothing above 0
        assertNull(enc.encode(grid, 0, 0.0));
        // above -20 only row 7 is on, 16 pixels
        LetterboxMaskEncoder.EncodedMask m = enc.encode(grid, 0, -20.0);
        assertNotNull(m);
        assertEquals(16, m.area());
        boolean[] px = pixels(m, 16, 8);
        for (int i = 0; i < px.length; i++) {
            assertEquals(i / 16 == 7, px[i], "pixel " + i);
        }
        // all on: exactly the image, not the padded frame
        java.util.Arrays.fill(grid, 50);
        LetterboxMaskEncoder.EncodedMask all = enc.encode(grid, 0, 0.0);
        assertEquals(16 * 8, all.area());
        assertArrayEquals(new int[] {0, 128}, CocoRle.counts("test", all.rle().counts()));
        // a large positive logit in the never-read padding row changes nothing
        float[] onlyLastRow = new float[16];
        java.util.Arrays.fill(onlyLastRow, -50);
        for (int i = 12; i < 16; i++) {
            onlyLastRow[i] = 1000;
        }
        assertNull(enc.encode(onlyLastRow, 0, 0.0));
    }

    @Test
    void readsTheGridAtItsOffset() {
        float[] two = {-1, -1, -1, -1, 5, 5, 5, 5};
        LetterboxMaskEncoder enc = new LetterboxMaskEncoder(Letterbox.of(8, 8, 8), 2, 2);
        assertNull(enc.encode(two, 0, 0.0));
        assertEquals(64, enc.encode(two, 4, 0.0).area());
    }

    @Test
    void matchesPerPixelReferenceAndCommonsEncoderOnRandomImages() {
        Random rnd = new Random(42);
        int checked = 0;
        for (int trial = 0; trial < 40; trial++) {
            int side = 32 * (1 + rnd.nextInt(4));
            int gridSide = side / 4;
            int w = 1 + rnd.nextInt(150);
            int h = 1 + rnd.nextInt(150);
            Letterbox lb = Letterbox.of(w, h, side);
            float[] grid = new float[gridSide * gridSide];
            for (int i = 0; i < grid.length; i++) {
                grid[i] = (float) (rnd.nextGaussian() * 3);
            }
            double t = rnd.nextGaussian();
            LetterboxMaskEncoder.EncodedMask m = new LetterboxMaskEncoder(lb, gridSide, gridSide).encode(grid, 0, t);
            boolean[] got = pixels(m, w, h);
            long area = 0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double ref = ReferenceBilinear.logit(grid, 0, gridSide, gridSide, lb, x, y);
                    if (Math.abs(ref - t) > 1e-4) {
                        assertEquals(ref > t, got[y * w + x], "trial " + trial + " pixel (" + x + "," + y + ")");
                        checked++;
                    }
                    area += got[y * w + x] ? 1 : 0;
                }
            }
            if (m != null) {
                assertEquals(area, m.area());
                // the runs made on the fly are the ones commons' encoder makes from the full mask
                assertEquals(CocoRle.encode(got, h, w).counts(), m.rle().counts());
            } else {
                assertEquals(0, area);
            }
        }
        assertEquals(true, checked > 100_000, "checked " + checked + " pixels");
    }

    @Test
    void reusesItsRunBufferAcrossQueriesOfDifferentComplexity() {
        // a checkerboard-ish grid makes many runs, then a simple one must not see stale runs
        LetterboxMaskEncoder enc = new LetterboxMaskEncoder(Letterbox.of(64, 64, 64), 16, 16);
        float[] busy = new float[256];
        for (int i = 0; i < busy.length; i++) {
            busy[i] = ((i / 16 + i % 16) % 2 == 0) ? 10 : -10;
        }
        LetterboxMaskEncoder.EncodedMask first = enc.encode(busy, 0, 0.0);
        boolean[] firstPixels = pixels(first, 64, 64);
        assertEquals(CocoRle.encode(firstPixels, 64, 64).counts(), first.rle().counts());
        float[] simple = new float[256];
        java.util.Arrays.fill(simple, 10);
        LetterboxMaskEncoder.EncodedMask second = enc.encode(simple, 0, 0.0);
        assertArrayEquals(new int[] {0, 64 * 64}, CocoRle.counts("test", second.rle().counts()));
    }
}

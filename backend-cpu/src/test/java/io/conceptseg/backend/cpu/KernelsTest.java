package io.conceptseg.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every kernel against a naive double-precision implementation, on sizes that are and are not
 * multiples of the blocks (panels of 128 columns, k blocks of 32, groups of 4 in the micro-kernel,
 * Winograd tiles of 2 and blocks of 128 tiles), on a pool of 3 threads and on the caller alone.
 */
class KernelsTest {
    private static WorkerPool pool;
    private static WorkerPool single;

    @BeforeAll
    static void start() {
        pool = new WorkerPool(3);
        single = new WorkerPool(1);
    }

    @AfterAll
    static void stop() {
        pool.close();
        single.close();
    }

    /** Relative to the size of the values and the length of the sums (float accumulation). */
    private static void assertClose(float[] expected, float[] actual, int terms, String what) {
        double scale = Math.max(1, Naive.maxAbs(expected));
        double err = Naive.maxDiff(expected, actual);
        double bound = 2e-6 * Math.sqrt(terms) * scale + 1e-6;
        assertTrue(err <= bound, what + ": max abs error " + err + " > " + bound);
    }

    @ParameterizedTest(name = "rows={0} in={1} out={2}")
    @CsvSource({"1,1,1", "3,5,7", "4,4,4", "17,33,129", "64,128,128", "65,130,257", "200,37,300", "7,512,128", "300,128,512"})
    void linearMatchesNaive(int rows, int in, int out) {
        Random r = new Random(rows * 31 + in * 7 + out);
        float[] w = Naive.random(r, out * in);
        float[] b = Naive.random(r, out);
        float[] x = Naive.random(r, rows * in);
        float[] expected = Naive.linear(x, rows, w, b, out, in);
        Linear linear = new Linear(w, b, out, in);
        for (WorkerPool p : new WorkerPool[] {pool, single}) {
            assertClose(expected, linear.apply(p, x, rows), in, "apply");
            float[] g = linear.applyGelu(p, x, rows);
            float[] eg = expected.clone();
            for (int i = 0; i < eg.length; i++) {
                eg[i] = (float) Naive.gelu(eg[i]);
            }
            assertClose(eg, g, in, "applyGelu");
            float[] residual = Naive.random(new Random(5), rows * out);
            float[] er = residual.clone();
            for (int i = 0; i < er.length; i++) {
                er[i] += expected[i];
            }
            linear.addTo(p, x, rows, residual);
            assertClose(er, residual, in, "addTo");
        }
    }

    @ParameterizedTest(name = "in={0} out={1} {2}x{3} k={4} s={5} p={6}")
    @CsvSource({
        "3,16,32,32,3,2,1", "3,5,7,9,3,2,1", "17,33,11,6,3,2,1", "16,32,16,16,3,1,1", "5,3,7,9,3,1,1", "33,130,10,10,3,1,1",
        "64,64,31,33,3,1,1", "130,17,24,24,3,1,1", "32,32,5,5,1,1,0", "7,129,13,11,1,1,0", "4,6,10,10,3,3,1", "3,4,9,8,5,2,2"})
    void convolutionMatchesNaive(int in, int out, int h, int w, int k, int s, int p) {
        Random r = new Random(in * 131 + out * 17 + h * 3 + w + k);
        float[] wt = Naive.random(r, out * in * k * k);
        float[] b = Naive.random(r, out);
        float[] x = Naive.random(r, in * h * w);
        float[] expected = Naive.conv(x, in, h, w, wt, b, out, k, s, p);
        Conv2d conv = new Conv2d(wt, b, out, in, k, s, p);
        int terms = in * k * k;
        for (WorkerPool pl : new WorkerPool[] {pool, single}) {
            assertClose(expected, conv.apply(pl, x, 0, h, w, false), terms, "apply");
            assertClose(expected, conv.applyIm2col(pl, x, 0, h, w, false), terms, "im2col");
        }
        float[] g = conv.apply(pool, x, 0, h, w, true);
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (float) Naive.gelu(expected[i]);
        }
        assertClose(expected, g, terms, "apply+gelu");
    }

    @Test
    void winogradReadsTheInputAtAnOffset() {
        Random r = new Random(3);
        int in = 6;
        int h = 12;
        float[] wt = Naive.random(r, 4 * in * 9);
        float[] b = Naive.random(r, 4);
        float[] x = Naive.random(r, 2 * in * h * h);
        Conv2d conv = new Conv2d(wt, b, 4, in, 3, 1, 1);
        float[] second = java.util.Arrays.copyOfRange(x, in * h * h, 2 * in * h * h);
        assertClose(Naive.conv(second, in, h, h, wt, b, 4, 3, 1, 1), conv.apply(pool, x, in * h * h, h, h, false), in * 9,
                "offset");
    }

    @ParameterizedTest(name = "tq={0} tk={1} heads={2} width={3} mask={4} causal={5}")
    @CsvSource({"1,1,1,4,false,false", "5,7,2,6,true,false", "16,16,2,32,true,true", "130,67,4,128,true,false",
        "256,256,4,128,false,false", "49,256,4,128,false,false", "49,9,4,128,true,false", "3,200,1,5,false,false"})
    void attentionMatchesNaive(int tq, int tk, int heads, int width, boolean masked, boolean causal) {
        Random r = new Random(tq * 7 + tk);
        float[] q = Naive.random(r, tq * width);
        float[] k = Naive.random(r, tk * width);
        float[] v = Naive.random(r, tk * width);
        float[] mask = null;
        float[] bias = new float[tk];
        float neg = -1e9f;
        if (masked) {
            mask = new float[tk];
            for (int b = 0; b < tk; b++) {
                mask[b] = b == 0 || r.nextBoolean() ? 1f : 0f; // every row keeps a valid key
                bias[b] = (1f - mask[b]) * neg;
            }
        }
        float[] expected = Naive.attend(q, tq, k, v, tk, width, heads, mask, causal, neg);
        Linear identity = new Linear(new float[width * width], null, width, width);
        Attention attention = new Attention(identity, identity, identity, identity, heads, neg);
        assertClose(expected, attention.attend(pool, q, tq, k, v, tk, bias, causal), width, "attend");
        assertClose(expected, attention.attend(single, q, tq, k, v, tk, bias, causal), width, "attend on one thread");
    }

    @Test
    void layerNormsMatchNaive() {
        Random r = new Random(11);
        for (int[] size : new int[][] {{1, 1}, {3, 5}, {65, 128}, {300, 33}}) {
            int rows = size[0];
            int c = size[1];
            float[] x = Naive.random(r, rows * c);
            for (int i = 0; i < x.length; i++) {
                x[i] = x[i] * 3 + 10; // an offset mean, as in real activations
            }
            float[] g = Naive.random(r, c);
            float[] b = Naive.random(r, c);
            float[] expected = Naive.layerNorm(x, rows, c, g, b, 1e-5);
            assertClose(expected, Ops.layerNorm(pool, x, rows, c, g, b, 1e-5f), c, "layerNorm " + rows + "x" + c);
            // LayerNorm2d on the transposed map [c, rows], with and without GELU
            float[] map = Ops.tokensToMap(x, 0, rows, c);
            float[] expectedMap = Ops.tokensToMap(expected, 0, rows, c);
            float[] plain = map.clone();
            Ops.layerNorm2d(pool, plain, c, rows, g, b, 1e-5f, false);
            assertClose(expectedMap, plain, c, "layerNorm2d");
            Ops.layerNorm2d(pool, map, c, rows, g, b, 1e-5f, true);
            for (int i = 0; i < expectedMap.length; i++) {
                expectedMap[i] = (float) Naive.gelu(expectedMap[i]);
            }
            assertClose(expectedMap, map, c, "layerNorm2d+gelu");
        }
    }

    @Test
    void transposesAndUpsamplingAreExact() {
        Random r = new Random(2);
        int c = 5;
        int h = 3;
        int w = 4;
        float[] x = Naive.random(r, c * h * w);
        float[] tokens = Ops.mapToTokens(x, 0, c, h * w);
        for (int ch = 0; ch < c; ch++) {
            for (int t = 0; t < h * w; t++) {
                assertEquals(x[ch * h * w + t], tokens[t * c + ch]);
            }
        }
        assertEquals(0, Naive.maxDiff(x, Ops.tokensToMap(tokens, 0, h * w, c)));
        float[] skip = Naive.random(r, c * 4 * h * w);
        float[] up = Ops.up2Add(pool, x, c, h, w, skip, 0);
        for (int ch = 0; ch < c; ch++) {
            for (int row = 0; row < 2 * h; row++) {
                for (int q = 0; q < 2 * w; q++) {
                    int i = (ch * 2 * h + row) * 2 * w + q;
                    assertEquals(x[(ch * h + row / 2) * w + q / 2] + skip[i], up[i]);
                }
            }
        }
    }

    @Test
    void bilinearSamplingFollowsGridSampleWithZeroPadding() {
        // a 1-channel 2x3 map; values 1..6
        float[] map = {1, 2, 3, 4, 5, 6};
        double[] acc = new double[1];
        // centre of pixel (row 1, col 2): gx = 2·(2.5/3) − 1, gy = 2·(1.5/2) − 1
        Ops.bilinearAdd(map, 0, 1, 2, 3, 2 * 2.5 / 3 - 1, 2 * 1.5 / 2 - 1, 1, acc);
        assertEquals(6, acc[0], 1e-12);
        // the outer corner (px = py = 0): only pixel (0,0) is inside, with weight 1/4
        acc[0] = 0;
        Ops.bilinearAdd(map, 0, 1, 2, 3, -1, -1, 1, acc);
        assertEquals(0.25, acc[0], 1e-12);
        // midway between pixels (0,0) and (0,1) on the first row's centre line
        acc[0] = 0;
        Ops.bilinearAdd(map, 0, 1, 2, 3, 2 * 1.0 / 3 - 1, 2 * 0.5 / 2 - 1, 2, acc);
        assertEquals(2 * 1.5, acc[0], 1e-12);
        // far outside: nothing
        acc[0] = 0;
        Ops.bilinearAdd(map, 0, 1, 2, 3, 5, 5, 1, acc);
        assertEquals(0, acc[0]);
    }

    @Test
    void erfGeluAndExpArePrecise() {
        double erfErr = 0;
        double geluRel = 0;
        for (float x = -10f; x <= 10f; x += 1e-4f) {
            erfErr = Math.max(erfErr, Math.abs((float) Activations.erf(x) - Naive.erf(x)));
            double g = Naive.gelu(x);
            geluRel = Math.max(geluRel, Math.abs(Activations.gelu(x) - g) / Math.max(1, Math.abs(g)));
        }
        System.out.printf("[cpu] erf max abs error %.3g (as float), GELU max error %.3g (relative above 1)%n", erfErr, geluRel);
        assertTrue(erfErr < 1e-7, "erf error " + erfErr);
        assertTrue(geluRel < 2e-7, "GELU error " + geluRel); // 0.5·|x|·(erf error), largest near |x| = 5.5
        float[] row = new float[20001];
        for (int i = 0; i < row.length; i++) {
            row[i] = -10f + i * 1e-3f;
        }
        Activations.gelu(row, row.length); // the vectorised loop gives the same values
        for (int i = 0; i < row.length; i++) {
            assertEquals(Activations.gelu(-10f + i * 1e-3f), row[i]);
        }
        double expRel = 0;
        for (float x = -87f; x <= 0f; x += 1e-3f) {
            double e = Math.exp(x);
            expRel = Math.max(expRel, Math.abs(Activations.expNonPositive(x) - e) / e);
        }
        System.out.printf("[cpu] exp max relative error %.3g%n", expRel);
        assertTrue(expRel < 2e-7, "exp error " + expRel);
        assertEquals(0f, Activations.expNonPositive(-1e9f));
        assertEquals(1f, Activations.expNonPositive(0f));
        // the two-loop row form gives the very same values, masked keys (−1e9) included
        Random r = new Random(4);
        float[] s = new float[301];
        float[] max = new float[301];
        for (int i = 0; i < s.length; i++) {
            max[i] = (float) r.nextGaussian() * 3;
            s[i] = i % 7 == 0 ? -1e9f : max[i] - (float) Math.abs(r.nextGaussian() * 30);
        }
        float[] expected = new float[s.length];
        for (int i = 0; i < s.length; i++) {
            expected[i] = Activations.expNonPositive(s[i] - max[i]);
        }
        Activations.expBelowMax(s, max, new float[s.length], s.length);
        for (int i = 0; i < s.length; i++) {
            assertEquals(expected[i], s[i], "element " + i);
        }
    }
}

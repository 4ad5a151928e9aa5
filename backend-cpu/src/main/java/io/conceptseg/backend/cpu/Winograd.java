package io.conceptseg.backend.cpu;

/**
 * A 3x3, stride-1, pad-1 convolution by Winograd's minimal filtering F(2x2, 3x3) (Lavin &amp; Gray,
 * 2015): each 2x2 output tile is {@code Aᵀ [Σ_ci U(co, ci) ⊙ V(ci)] A} with the weights transformed
 * once at load, {@code U = G g Gᵀ}, and every 4x4 input tile transformed once per run,
 * {@code V = Bᵀ d B}. The channel sum becomes 16 independent matrix products (one per element ξ of
 * the 4x4 transform) of U_ξ [out, in] with V_ξ [in, tiles]: 16 multiply-adds per 4 outputs instead
 * of 36, i.e. 2.25x fewer than im2col. The transforms add only ±, ½ factors (F(2x2) is the variant
 * whose error stays at the level of the direct sum; F(4x4) would not).
 */
final class Winograd {
    /** Tiles per task (columns of the 16 products). */
    private static final int TILES = 128;

    private final int out;
    private final int in;
    private final float[][] u; // u[ξ] = U_ξ as a row-major [out, in] matrix
    private final float[] bias;

    /** @param weight [out, in, 3, 3]; @param bias [out] */
    Winograd(float[] weight, float[] bias, int out, int in) {
        this.out = out;
        this.in = in;
        this.bias = bias;
        this.u = new float[16][out * in];
        float[] g = new float[9];
        float[] gt = new float[12];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                System.arraycopy(weight, (o * in + i) * 9, g, 0, 9);
                // G g: rows (g0, (g0+g1+g2)/2, (g0−g1+g2)/2, g2) of the 3 columns
                for (int c = 0; c < 3; c++) {
                    float g0 = g[c];
                    float g1 = g[3 + c];
                    float g2 = g[6 + c];
                    gt[c] = g0;
                    gt[3 + c] = 0.5f * (g0 + g1 + g2);
                    gt[6 + c] = 0.5f * (g0 - g1 + g2);
                    gt[9 + c] = g2;
                }
                // (G g) Gᵀ: the same on each row
                for (int r = 0; r < 4; r++) {
                    float g0 = gt[r * 3];
                    float g1 = gt[r * 3 + 1];
                    float g2 = gt[r * 3 + 2];
                    int idx = o * in + i;
                    u[r * 4][idx] = g0;
                    u[r * 4 + 1][idx] = 0.5f * (g0 + g1 + g2);
                    u[r * 4 + 2][idx] = 0.5f * (g0 - g1 + g2);
                    u[r * 4 + 3][idx] = g2;
                }
            }
        }
    }

    /** Convolves x [in, h, w] (at {@code x[xOff..]}); returns [out, h, w], GELU applied when asked. */
    float[] apply(WorkerPool pool, float[] x, int xOff, int h, int w, boolean gelu) {
        int th = (h + 1) / 2;
        int tw = (w + 1) / 2;
        int tiles = th * tw;
        // the input with its zero border (and one more row/column when a side is odd)
        int ph = 2 * th + 2;
        int pw = 2 * tw + 2;
        float[] xp = new float[in * ph * pw];
        pool.forEach(in, (long) in * h * w, ci -> {
            for (int r = 0; r < h; r++) {
                System.arraycopy(x, xOff + (ci * h + r) * w, xp, (ci * ph + r + 1) * pw + 1, w);
            }
        });
        float[] y = new float[out * h * w];
        int tileBlocks = (tiles + TILES - 1) / TILES;
        int rowsPerTask = Sgemm.rowsPerTask(out, tileBlocks, pool.parallelism(), out);
        int rowChunks = (out + rowsPerTask - 1) / rowsPerTask;
        pool.forEach(tileBlocks * rowChunks, 4L * tiles * in * out, (task, scratch) -> {
            int t0 = (task % tileBlocks) * TILES;
            int nt = Math.min(TILES, tiles - t0);
            int o0 = (task / tileBlocks) * rowsPerTask;
            int m = Math.min(rowsPerTask, out - o0);
            float[][] v = scratch.matrix(2, 16 * in, nt); // V_ξ[ci] = v[ξ·in + ci]
            transformInput(xp, ph, pw, tw, t0, nt, v);
            float[][] acc = scratch.matrix(0, m, nt);
            float[][] yt = scratch.matrix(1, 4 * m, nt); // output tile element e = 2r + c of row o: yt[e·m + o]
            for (int i = 0; i < 4 * m; i++) {
                java.util.Arrays.fill(yt[i], 0, nt, 0f);
            }
            for (int xi = 0; xi < 16; xi++) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(acc[i], 0, nt, 0f);
                }
                for (int k0 = 0; k0 < in; k0 += Sgemm.KC) {
                    int kc = Math.min(Sgemm.KC, in - k0);
                    Sgemm.block(u[xi], o0 * in + k0, in, m, v, xi * in + k0, kc, acc, nt);
                }
                accumulateOutput(xi, acc, yt, m, nt);
            }
            store(yt, y, o0, m, t0, nt, h, w, tw);
        });
        if (gelu) {
            Ops.gelu(pool, y, y.length);
        }
        return y;
    }

    /** V_ξ[ci][t] for tiles [t0, t0+nt): Bᵀ d B of the 4x4 patch at padded (2ty, 2tx). */
    private void transformInput(float[] xp, int ph, int pw, int tw, int t0, int nt, float[][] v) {
        float[][] vc = new float[16][];
        for (int ci = 0; ci < in; ci++) {
            for (int xi = 0; xi < 16; xi++) {
                vc[xi] = v[xi * in + ci];
            }
            transformChannel(xp, ci * ph * pw, pw, tw, t0, nt, vc[0], vc[1], vc[2], vc[3], vc[4], vc[5], vc[6], vc[7], vc[8],
                    vc[9], vc[10], vc[11], vc[12], vc[13], vc[14], vc[15]);
        }
    }

    /** One channel's tiles; the 16 destination rows are parameters so that the stores need no lookups. */
    private static void transformChannel(float[] xp, int plane, int pw, int tw, int t0, int nt, float[] v0, float[] v1,
            float[] v2, float[] v3, float[] v4, float[] v5, float[] v6, float[] v7, float[] v8, float[] v9, float[] v10,
            float[] v11, float[] v12, float[] v13, float[] v14, float[] v15) {
        int ty = t0 / tw;
        int tx = t0 - ty * tw;
        for (int t = 0; t < nt; t++) {
            int p = plane + 2 * ty * pw + 2 * tx;
            // Bᵀ d, Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]], column by column
            float a0 = xp[p] - xp[p + 2 * pw];
            float a1 = xp[p + 1] - xp[p + 2 * pw + 1];
            float a2 = xp[p + 2] - xp[p + 2 * pw + 2];
            float a3 = xp[p + 3] - xp[p + 2 * pw + 3];
            float b0 = xp[p + pw] + xp[p + 2 * pw];
            float b1 = xp[p + pw + 1] + xp[p + 2 * pw + 1];
            float b2 = xp[p + pw + 2] + xp[p + 2 * pw + 2];
            float b3 = xp[p + pw + 3] + xp[p + 2 * pw + 3];
            float c0 = xp[p + 2 * pw] - xp[p + pw];
            float c1 = xp[p + 2 * pw + 1] - xp[p + pw + 1];
            float c2 = xp[p + 2 * pw + 2] - xp[p + pw + 2];
            float c3 = xp[p + 2 * pw + 3] - xp[p + pw + 3];
            float d0 = xp[p + pw] - xp[p + 3 * pw];
            float d1 = xp[p + pw + 1] - xp[p + 3 * pw + 1];
            float d2 = xp[p + pw + 2] - xp[p + 3 * pw + 2];
            float d3 = xp[p + pw + 3] - xp[p + 3 * pw + 3];
            // (Bᵀ d) B: the same combinations along each row
            v0[t] = a0 - a2;
            v1[t] = a1 + a2;
            v2[t] = a2 - a1;
            v3[t] = a1 - a3;
            v4[t] = b0 - b2;
            v5[t] = b1 + b2;
            v6[t] = b2 - b1;
            v7[t] = b1 - b3;
            v8[t] = c0 - c2;
            v9[t] = c1 + c2;
            v10[t] = c2 - c1;
            v11[t] = c1 - c3;
            v12[t] = d0 - d2;
            v13[t] = d1 + d2;
            v14[t] = d2 - d1;
            v15[t] = d1 - d3;
            if (++tx == tw) {
                tx = 0;
                ty++;
            }
        }
    }

    /**
     * Adds M_ξ's share of Aᵀ M A: with Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]], element ξ = (i, j) goes
     * to output (r, c) with sign Aᵀ[r][i]·Aᵀ[c][j].
     */
    private static void accumulateOutput(int xi, float[][] m, float[][] yt, int rows, int nt) {
        int i = xi >> 2;
        int j = xi & 3;
        for (int r = 0; r < 2; r++) {
            float sr = A_T[r][i];
            if (sr == 0) {
                continue;
            }
            for (int c = 0; c < 2; c++) {
                float sc = A_T[c][j];
                if (sc == 0) {
                    continue;
                }
                float s = sr * sc;
                int e = 2 * r + c;
                for (int o = 0; o < rows; o++) {
                    axpy(s, m[o], yt[e * rows + o], nt);
                }
            }
        }
    }

    private static final float[][] A_T = {{1, 1, 1, 0}, {0, 1, -1, -1}};

    private static void axpy(float s, float[] x, float[] y, int n) {
        for (int t = 0; t < n; t++) {
            y[t] += s * x[t];
        }
    }

    /** Writes the 2x2 tiles (plus bias) into y [out, h, w], leaving out what falls outside. */
    private void store(float[][] yt, float[] y, int o0, int m, int t0, int nt, int h, int w, int tw) {
        for (int o = 0; o < m; o++) {
            int co = o0 + o;
            float b = bias[co];
            for (int e = 0; e < 4; e++) {
                float[] row = yt[e * m + o];
                for (int t = 0; t < nt; t++) {
                    row[t] += b;
                }
            }
            int plane = co * h * w;
            float[] y0 = yt[o];
            float[] y1 = yt[m + o];
            float[] y2 = yt[2 * m + o];
            float[] y3 = yt[3 * m + o];
            for (int t = 0; t < nt; t++) {
                int tile = t0 + t;
                int ty = tile / tw;
                int tx = tile - ty * tw;
                int r = 2 * ty;
                int c = 2 * tx;
                int p = plane + r * w + c;
                y[p] = y0[t];
                if (c + 1 < w) {
                    y[p + 1] = y1[t];
                }
                if (r + 1 < h) {
                    y[p + w] = y2[t];
                    if (c + 1 < w) {
                        y[p + w + 1] = y3[t];
                    }
                }
            }
        }
    }
}

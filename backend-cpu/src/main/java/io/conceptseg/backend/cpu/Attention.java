package io.conceptseg.backend.cpu;

/**
 * Multi-head attention {@code Attn_X(q_in, k_in, v_in, bias)} of docs/model-architecture.md:
 * projections, then per head and per block of query rows the scores, the additive bias, the
 * softmax and the product with the values, fused so that no more than one row of scores per task
 * exists at a time; then the output projection, added to the residual stream.
 */
final class Attention {
    /** Query rows per task. */
    private static final int ROW_BLOCK = 16;

    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear out;
    private final int heads;
    private final int width;
    private final float negative;

    /** @param width E; @param heads h (E divisible by h); @param negative the bias of a masked key (NEG) */
    Attention(Linear q, Linear k, Linear v, Linear out, int heads, float negative) {
        this.q = q;
        this.k = k;
        this.v = v;
        this.out = out;
        this.heads = heads;
        this.width = q.out();
        this.negative = negative;
    }

    /**
     * {@code residual += Attn(qIn, kIn, vIn, bias)} where bias is {@code (1 − keyMask[b]) · NEG} for
     * every query row (no bias when keyMask is null), plus NEG above the diagonal when causal.
     *
     * @param qIn [tq, E]; @param kIn, vIn [tk, E]; @param residual [tq, E], updated in place
     */
    void addTo(WorkerPool pool, float[] qIn, int tq, float[] kIn, float[] vIn, int tk, float[] keyMask, boolean causal,
            float[] residual) {
        float[] qm = q.apply(pool, qIn, tq);
        float[] km = k.apply(pool, kIn, tk);
        float[] vm = v.apply(pool, vIn, tk);
        float[] o = attend(pool, qm, tq, km, vm, tk, keyBias(keyMask, tk), causal);
        out.addTo(pool, o, tq, residual);
    }

    private float[] keyBias(float[] keyMask, int tk) {
        float[] bias = new float[tk];
        if (keyMask != null) {
            for (int b = 0; b < tk; b++) {
                bias[b] = (1f - keyMask[b]) * negative;
            }
        }
        return bias;
    }

    /** softmax(Q·Kᵀ/√e + bias)·V per head, heads side by side: [tq, E]. */
    float[] attend(WorkerPool pool, float[] qm, int tq, float[] km, float[] vm, int tk, float[] bias, boolean causal) {
        int e = width / heads;
        float scale = (float) (1.0 / Math.sqrt(e));
        // per head: Kᵀ as e rows of tk (the score loop runs over keys), V as tk rows of e
        float[][][] kt = new float[heads][e][tk];
        float[][][] vh = new float[heads][tk][e];
        pool.forEach(heads, j -> {
            for (int b = 0; b < tk; b++) {
                int src = b * width + j * e;
                System.arraycopy(vm, src, vh[j][b], 0, e);
                for (int c = 0; c < e; c++) {
                    kt[j][c][b] = km[src + c];
                }
            }
        });
        float[] o = new float[tq * width];
        int blocks = (tq + ROW_BLOCK - 1) / ROW_BLOCK;
        pool.forEach(heads * blocks, t -> {
            int j = t / blocks;
            int a0 = (t % blocks) * ROW_BLOCK;
            int a1 = Math.min(tq, a0 + ROW_BLOCK);
            float[][] kth = kt[j];
            float[][] vhh = vh[j];
            float[] s = new float[tk];
            float[] acc = new float[e];
            for (int a = a0; a < a1; a++) {
                java.util.Arrays.fill(s, 0f);
                int qa = a * width + j * e;
                int c = 0;
                for (; c + 4 <= e; c += 4) {
                    Sgemm.k4(qm[qa + c], qm[qa + c + 1], qm[qa + c + 2], qm[qa + c + 3], kth[c], kth[c + 1], kth[c + 2],
                            kth[c + 3], s, tk);
                }
                for (; c < e; c++) {
                    Sgemm.k1(qm[qa + c], kth[c], s, tk);
                }
                for (int b = 0; b < tk; b++) {
                    s[b] = s[b] * scale + bias[b];
                }
                if (causal) {
                    for (int b = a + 1; b < tk; b++) {
                        s[b] += negative;
                    }
                }
                float max = Float.NEGATIVE_INFINITY;
                for (int b = 0; b < tk; b++) {
                    max = Math.max(max, s[b]);
                }
                double sum = 0;
                for (int b = 0; b < tk; b++) {
                    float p = (float) Math.exp(s[b] - max);
                    s[b] = p;
                    sum += p;
                }
                java.util.Arrays.fill(acc, 0f);
                int b = 0;
                for (; b + 4 <= tk; b += 4) {
                    Sgemm.k4(s[b], s[b + 1], s[b + 2], s[b + 3], vhh[b], vhh[b + 1], vhh[b + 2], vhh[b + 3], acc, e);
                }
                for (; b < tk; b++) {
                    Sgemm.k1(s[b], vhh[b], acc, e);
                }
                float inv = (float) (1.0 / sum);
                int oa = a * width + j * e;
                for (c = 0; c < e; c++) {
                    o[oa + c] = acc[c] * inv;
                }
            }
        });
        return o;
    }
}

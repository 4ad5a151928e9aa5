package io.conceptseg.backend.cpu;

/**
 * Multi-head attention {@code Attn_X(q_in, k_in, v_in, bias)} of docs/model-architecture.md:
 * projections, then per head and per block of query rows the scores, the additive bias, the
 * softmax and the product with the values, fused so that no more than one row of scores per task
 * exists at a time; then the output projection, added to the residual stream.
 */
final class Attention {
    /** Query rows per task. */
    private static final int ROW_BLOCK = 128;

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

    /**
     * softmax(Q·Kᵀ/√e + bias)·V per head, heads side by side: [tq, E]. Per task (a head and a block
     * of query rows) everything is kept transposed, with the block's rows as the vector dimension:
     * Sᵀ[b] = Σ_c K[b, c]·Qᵀ[c] (scores of key b for every row of the block), the softmax down the
     * keys (max, exp, sum per row are then loops over one index), and Oᵀ[c] = Σ_b V[b, c]·Pᵀ[b]. A head
     * has only e = 16..32 channels, too few for a vector loop over channels.
     */
    float[] attend(WorkerPool pool, float[] qm, int tq, float[] km, float[] vm, int tk, float[] bias, boolean causal) {
        int e = width / heads;
        float scale = (float) (1.0 / Math.sqrt(e));
        float[] o = new float[tq * width];
        int rowBlock = Math.min(ROW_BLOCK, tq);
        int blocks = (tq + rowBlock - 1) / rowBlock;
        pool.forEach(heads * blocks, 2L * tq * tk * width, (t, scratch) -> {
            int j = t / blocks;
            int a0 = (t % blocks) * rowBlock;
            int rows = Math.min(tq, a0 + rowBlock) - a0;
            int col = j * e;
            // Qᵀ of the block, pre-scaled by 1/√e
            float[][] qt = scratch.matrix(0, e, rows);
            for (int i = 0; i < rows; i++) {
                int qa = (a0 + i) * width + col;
                for (int c = 0; c < e; c++) {
                    qt[c][i] = qm[qa + c] * scale;
                }
            }
            float[][] st = scratch.matrix(1, tk, rows);
            float[] max = scratch.vector(2, rows);
            java.util.Arrays.fill(max, 0, rows, Float.NEGATIVE_INFINITY);
            for (int b = 0; b < tk; b++) {
                float[] sb = st[b];
                int kb = b * width + col;
                java.util.Arrays.fill(sb, 0, rows, bias[b]);
                int c = 0;
                for (; c + 4 <= e; c += 4) {
                    Sgemm.k4(km[kb + c], km[kb + c + 1], km[kb + c + 2], km[kb + c + 3], qt[c], qt[c + 1], qt[c + 2], qt[c + 3],
                            sb, rows);
                }
                for (; c < e; c++) {
                    Sgemm.k1(km[kb + c], qt[c], sb, rows);
                }
                if (causal) {
                    // rows a < b do not see key b
                    int hidden = Math.min(rows, b - a0);
                    for (int i = 0; i < hidden; i++) {
                        sb[i] += negative;
                    }
                }
                for (int i = 0; i < rows; i++) {
                    max[i] = Math.max(max[i], sb[i]);
                }
            }
            float[] sum = scratch.vector(3, rows);
            java.util.Arrays.fill(sum, 0, rows, 0f);
            float[] exponents = scratch.vector(5, rows);
            for (int b = 0; b < tk; b++) {
                float[] sb = st[b];
                Activations.expBelowMax(sb, max, exponents, rows);
                for (int i = 0; i < rows; i++) {
                    sum[i] += sb[i];
                }
            }
            // Oᵀ[c] = Σ_b V[b, col + c] · Pᵀ[b], then divided by the row sums
            float[] acc = scratch.vector(4, rows);
            for (int c = 0; c < e; c++) {
                java.util.Arrays.fill(acc, 0, rows, 0f);
                int vc = col + c;
                int b = 0;
                for (; b + 4 <= tk; b += 4) {
                    int v0 = b * width + vc;
                    Sgemm.k4(vm[v0], vm[v0 + width], vm[v0 + 2 * width], vm[v0 + 3 * width], st[b], st[b + 1], st[b + 2],
                            st[b + 3], acc, rows);
                }
                for (; b < tk; b++) {
                    Sgemm.k1(vm[b * width + vc], st[b], acc, rows);
                }
                for (int i = 0; i < rows; i++) {
                    o[(a0 + i) * width + vc] = acc[i] / sum[i];
                }
            }
        });
        return o;
    }
}

package io.conceptseg.backend.cpu;

/**
 * A linear layer {@code y = x · Wᵀ + b} applied to every row of x, with W [out, in] repacked once at
 * load into {@link Sgemm#NC}-column panels of Wᵀ (so the product streams them as they are).
 */
final class Linear {
    private final int in;
    private final int out;
    // panels[jb][k] = columns [jb·NC, jb·NC + nc) of row k of Wᵀ, i.e. W[jb·NC + j, k]
    private final float[][][] panels;
    // bias split the same way, so that adding it is a loop over one index
    private final float[][] biasBlocks;

    /** @param weight W, [out, in] row-major; @param bias [out], or null for none */
    Linear(float[] weight, float[] bias, int out, int in) {
        if (weight.length != out * in || (bias != null && bias.length != out)) {
            throw new IllegalArgumentException("linear " + out + "x" + in + " got " + weight.length + " weights");
        }
        this.in = in;
        this.out = out;
        int blocks = (out + Sgemm.NC - 1) / Sgemm.NC;
        panels = new float[blocks][in][];
        biasBlocks = new float[blocks][];
        for (int jb = 0; jb < blocks; jb++) {
            int j0 = jb * Sgemm.NC;
            int nc = Math.min(Sgemm.NC, out - j0);
            for (int k = 0; k < in; k++) {
                float[] row = new float[nc];
                for (int j = 0; j < nc; j++) {
                    row[j] = weight[(j0 + j) * in + k];
                }
                panels[jb][k] = row;
            }
            biasBlocks[jb] = new float[nc];
            if (bias != null) {
                System.arraycopy(bias, j0, biasBlocks[jb], 0, nc);
            }
        }
    }

    int in() {
        return in;
    }

    int out() {
        return out;
    }

    /** {@code y = x · Wᵀ + b} for x [rows, in]; a new [rows, out] array. */
    float[] apply(WorkerPool pool, float[] x, int rows) {
        float[] y = new float[rows * out];
        run(pool, x, rows, y, false, false);
        return y;
    }

    /** {@code GELU(x · Wᵀ + b)}; a new array. */
    float[] applyGelu(WorkerPool pool, float[] x, int rows) {
        float[] y = new float[rows * out];
        run(pool, x, rows, y, false, true);
        return y;
    }

    /** {@code residual += x · Wᵀ + b} (the transformer's residual update), in place. */
    void addTo(WorkerPool pool, float[] x, int rows, float[] residual) {
        run(pool, x, rows, residual, true, false);
    }

    private void run(WorkerPool pool, float[] x, int rows, float[] y, boolean accumulate, boolean gelu) {
        if (x.length < rows * in || y.length < rows * out) {
            throw new IllegalArgumentException("linear " + out + "x" + in + ": x has " + x.length + ", y " + y.length
                    + " elements for " + rows + " rows");
        }
        Sgemm.Panels b = new Sgemm.Panels() {
            @Override
            public float[][] rows(int k0, int kc, int jb, int j0, int nc, float[][] scratch) {
                return panels[jb];
            }

            @Override
            public int offset(int k0) {
                return k0;
            }
        };
        Sgemm.Epilogue e = new Sgemm.Epilogue() {
            @Override
            public void init(float[][] acc, int r0, int m, int jb, int j0, int nc) {
                float[] bias = biasBlocks[jb];
                for (int i = 0; i < m; i++) {
                    float[] c = acc[i];
                    if (accumulate) {
                        System.arraycopy(y, (r0 + i) * out + j0, c, 0, nc);
                        for (int j = 0; j < nc; j++) {
                            c[j] += bias[j];
                        }
                    } else {
                        System.arraycopy(bias, 0, c, 0, nc);
                    }
                }
            }

            @Override
            public void store(float[][] acc, int r0, int m, int jb, int j0, int nc) {
                for (int i = 0; i < m; i++) {
                    System.arraycopy(acc[i], 0, y, (r0 + i) * out + j0, nc);
                }
            }
        };
        int tile = Sgemm.rowsPerTile(rows, out, pool.parallelism(), 64);
        Sgemm.multiply(pool, x, 0, rows, in, out, b, e, tile);
        if (gelu) {
            Ops.gelu(pool, y, rows * out); // over the whole output: one long loop per chunk, not one per tile row
        }
    }
}

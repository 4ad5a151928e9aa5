package io.conceptseg.backend.cpu;

/**
 * Single-precision matrix product {@code C[M×N] = A[M×K] · B[K×N]} (row-major), blocked for the
 * caches and split over the worker pool.
 *
 * <p>Why it is shaped like this: without {@code jdk.incubator.vector}, C2's superword pass is the
 * only way to SIMD, and on JDK 17 it vectorises a loop only when (a) every array access in it uses
 * the same index expression (no per-array base offsets) and (b) the loop body is small enough to be
 * unrolled to the vector width. So B is packed into panels whose rows are separate arrays holding
 * {@link #NC} columns, C is accumulated in separate row arrays, and the micro-kernel
 * {@link #k4} updates one C row from four B rows: {@code c[j] += a0·b0[j] + a1·b1[j] + a2·b2[j] + a3·b3[j]}
 * (4 multiply-adds per 5 loads and 1 store; measured ~40-45 GFLOP/s per core on this AVX-512 machine,
 * vs ~7 for scalar code; a 5th term still vectorises but gains nothing, a 6th or a second C row makes
 * the body too big to unroll and the loop falls back to scalar). The B block ({@link #KC} rows ×
 * {@link #NC} columns, 16 KB) stays in L1 while it is applied to every row of the tile; wider panels
 * or deeper blocks that overflow L1 measured slower.
 */
final class Sgemm {
    /** Columns of a panel (the vectorised loop length). */
    static final int NC = 128;
    /** Rows of B applied per pass over the tile's C rows. */
    static final int KC = 32;

    private Sgemm() { }

    /** Rows of B for a block of k and a block of columns. */
    interface Panels {
        /**
         * The rows of B for k in [k0, k0+kc), columns [j0, j0+nc): either stored arrays (returned as
         * they are, with {@code rows[offset(k0) + kk]}) or copied into {@code scratch}.
         */
        float[][] rows(int k0, int kc, int jb, int j0, int nc, float[][] scratch);

        /** Index in the array {@link #rows} returns of the row for k0. */
        int offset(int k0);
    }

    /** {@code c[j] += a0·b0[j] + a1·b1[j] + a2·b2[j] + a3·b3[j]} for j in [0, n). */
    static void k4(float a0, float a1, float a2, float a3, float[] b0, float[] b1, float[] b2, float[] b3, float[] c, int n) {
        for (int j = 0; j < n; j++) {
            c[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
        }
    }

    /** {@code c[j] += a0·b0[j]} for j in [0, n). */
    static void k1(float a0, float[] b0, float[] c, int n) {
        for (int j = 0; j < n; j++) {
            c[j] += a0 * b0[j];
        }
    }

    /**
     * {@code acc[i][0..n) += Σ_kk A[i, kk] · b[bOff + kk][0..n)} for i in [0, m), kk in [0, kc), where
     * A[i, kk] = {@code a[aOff + i·lda + kk]}.
     */
    static void block(float[] a, int aOff, int lda, int m, float[][] b, int bOff, int kc, float[][] acc, int n) {
        for (int i = 0; i < m; i++) {
            float[] c = acc[i];
            int ai = aOff + i * lda;
            int kk = 0;
            for (; kk + 4 <= kc; kk += 4) {
                int bi = bOff + kk;
                k4(a[ai + kk], a[ai + kk + 1], a[ai + kk + 2], a[ai + kk + 3], b[bi], b[bi + 1], b[bi + 2], b[bi + 3], c, n);
            }
            for (; kk < kc; kk++) {
                k1(a[ai + kk], b[bOff + kk], c, n);
            }
        }
    }

    /** How a tile's accumulators start and end. */
    interface Epilogue {
        /**
         * Sets {@code acc[i][0..nc)} for rows [r0, r0+m), columns [j0, j0+nc) before the product is
         * added (the arrays are reused: every element must be written).
         */
        void init(float[][] acc, int r0, int m, int jb, int j0, int nc);

        /** Finishes and stores the tile. */
        void store(float[][] acc, int r0, int m, int jb, int j0, int nc);
    }

    /**
     * Computes the product tile by tile on the pool: tiles are {@code rowsPerTile} rows × {@link #NC}
     * columns; for each, B is fetched block by block from {@code panels}.
     */
    static void multiply(WorkerPool pool, float[] a, int aOff, int m, int k, int n, Panels panels, Epilogue epilogue,
            int rowsPerTile) {
        int colBlocks = (n + NC - 1) / NC;
        int rowTiles = (m + rowsPerTile - 1) / rowsPerTile;
        pool.forEach(colBlocks * rowTiles, (long) m * n * k, (t, scratch) -> {
            int jb = t % colBlocks;
            int r0 = (t / colBlocks) * rowsPerTile;
            int rows = Math.min(rowsPerTile, m - r0);
            int j0 = jb * NC;
            int nc = Math.min(NC, n - j0);
            float[][] acc = scratch.matrix(0, rows, nc);
            float[][] panel = scratch.matrix(1, Math.min(KC, k), NC);
            epilogue.init(acc, r0, rows, jb, j0, nc);
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                float[][] b = panels.rows(k0, kc, jb, j0, nc, panel);
                block(a, aOff + r0 * k + k0, k, rows, b, panels.offset(k0), kc, acc, nc);
            }
            epilogue.store(acc, r0, rows, jb, j0, nc);
        });
    }

    /** Rows per tile for an n-column product: see {@link #rowsPerTask}; tiles keep at least 8 rows. */
    static int rowsPerTile(int m, int n, int threads, int preferred) {
        return rowsPerTask(m, (n + NC - 1) / NC, threads, preferred);
    }

    /**
     * Rows per task for {@code colBlocks} column blocks: halves {@code preferred} until there are ~4
     * tasks per thread (on a shared machine a thread may stall; small tasks let the others take
     * over its share). A single thread gets no split: each split repeats the packing of B.
     */
    static int rowsPerTask(int m, int colBlocks, int threads, int preferred) {
        int wantTasks = threads <= 1 ? 1 : 4 * threads;
        int rows = Math.max(1, Math.min(preferred, m));
        while (rows > 8 && colBlocks * ((m + rows - 1) / rows) < wantTasks) {
            rows = (rows + 1) / 2;
        }
        return rows;
    }

    /** Panels copied from a row-major matrix B[k, n] at {@code b[bOff + kk·n + j]}. */
    static Panels rowMajor(float[] b, int bOff, int n) {
        return new Panels() {
            @Override
            public float[][] rows(int k0, int kc, int jb, int j0, int nc, float[][] scratch) {
                for (int kk = 0; kk < kc; kk++) {
                    System.arraycopy(b, bOff + (k0 + kk) * n + j0, scratch[kk], 0, nc);
                }
                return scratch;
            }

            @Override
            public int offset(int k0) {
                return 0;
            }
        };
    }
}

package io.conceptseg.backend.cpu;

/**
 * Working arrays of one thread while it takes part in a parallel loop, kept by the pool and reused
 * by later loops: kernels that allocated their tiles afresh for every task spent much of their
 * time pulling newly zeroed memory into the caches. Contents are left over from earlier use:
 * whoever takes an array initialises what it reads.
 */
final class Scratch {
    private float[][][] matrices = new float[8][][];

    /**
     * At least {@code rows} arrays of at least {@code cols} floats, in slot {@code slot} (a kernel
     * uses different slots for arrays it needs at the same time).
     */
    float[][] matrix(int slot, int rows, int cols) {
        if (slot >= matrices.length) {
            matrices = java.util.Arrays.copyOf(matrices, Math.max(slot + 1, 2 * matrices.length));
        }
        float[][] m = matrices[slot];
        if (m == null || m.length < rows) {
            float[][] grown = new float[Math.max(rows, m == null ? 0 : m.length)][];
            if (m != null) {
                System.arraycopy(m, 0, grown, 0, m.length);
            }
            m = grown;
            matrices[slot] = m;
        }
        for (int r = 0; r < rows; r++) {
            if (m[r] == null || m[r].length < cols) {
                m[r] = new float[cols];
            }
        }
        return m;
    }

    private double[] doubles = new double[0];

    /** At least {@code n} doubles (one slot). */
    double[] doubles(int n) {
        if (doubles.length < n) {
            doubles = new double[n];
        }
        return doubles;
    }

    /** At least {@code n} floats in slot {@code slot}. */
    float[] vector(int slot, int n) {
        return matrix(slot, 1, n)[0];
    }
}

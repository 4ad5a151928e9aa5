package io.conceptseg.backend.cpu;

/** Element-wise functions: exact (erf) GELU, exp, sigmoid. */
final class Activations {
    private static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));

    private Activations() { }

    /**
     * erf(x): the odd/even rational minimax fit of Eigen/XLA ({@code generic_fast_erf_float},
     * numerator degree 13, denominator degree 8) on [-4, 4], beyond which erf is ±1 in float.
     * The fit itself is within 1e-7 of erf (9.5e-8 when evaluated in double); evaluated in float, as
     * here, it is within 4e-7 absolute, i.e. a few ulp of 1 (ActivationsTest measures both). Float
     * on purpose: multiply-adds, min/max and one division vectorise (C2 superword), so a GELU costs
     * ~0.6 ns instead of ~6 ns in double, and a default-size run has ~2 M of them. The tanh
     * approximation, or Abramowitz–Stegun 7.1.26 (1.5e-7 before any rounding), is not used.
     */
    static float erf(float v) {
        float x = Math.max(-4f, Math.min(4f, v));
        float x2 = x * x;
        float p = x2 * -2.72614225801306e-10f + 2.77068142495902e-08f;
        p = x2 * p + -2.10102402082508e-06f;
        p = x2 * p + -5.69250639462346e-05f;
        p = x2 * p + -7.34990630326855e-04f;
        p = x2 * p + -2.95459980854025e-03f;
        p = x2 * p + -1.60960333262415e-02f;
        p = x * p;
        float q = x2 * -1.45660718464996e-05f + -2.13374055278905e-04f;
        q = x2 * q + -1.68282697438203e-03f;
        q = x2 * q + -7.37332916720468e-03f;
        q = x2 * q + -1.42647390514189e-02f;
        return p / q;
    }

    /** GELU(x) = 0.5·x·(1 + erf(x/√2)), the exact form the model was trained with (not the tanh form). */
    static float gelu(float x) {
        return 0.5f * x * (1f + erf(x * INV_SQRT2));
    }

    /** GELU in place on {@code x[0..n)}. */
    static void gelu(float[] x, int n) {
        gelu(x, 0, n);
    }

    /** GELU in place on {@code x[from..to)} (one index for every access: the loop vectorises). */
    static void gelu(float[] x, int from, int to) {
        for (int i = from; i < to; i++) {
            x[i] = gelu(x[i]);
        }
    }

    /**
     * exp(x) for x ≤ 0 (softmax arguments after the row maximum is subtracted), within 1e-7
     * relative: x = n·ln2 + r with |r| ≤ ln2/2 (Cody–Waite split of ln2), a degree-6 polynomial
     * for exp(r) (Cephes expf), and 2^n built in the exponent bits. About twice as fast as
     * {@link Math#exp}; below −87.3 the result is 0 (as exp of the −1e9 mask bias is in float).
     */
    static float expNonPositive(float x) {
        if (x < -87.3f) {
            return 0f;
        }
        // round to nearest by the 1.5·2^23 trick (Math.round(float) is not intrinsified on JDK 17: 20% of a softmax)
        float n = (x * 1.44269504088896341f + 12582912f) - 12582912f;
        float r = x - n * 0.693359375f + n * 2.12194440e-4f;
        float p = 1.9875691500E-4f;
        p = p * r + 1.3981999507E-3f;
        p = p * r + 8.3334519073E-3f;
        p = p * r + 4.1665795894E-2f;
        p = p * r + 1.6666665459E-1f;
        p = p * r + 5.0000001201E-1f;
        p = p * r * r + r + 1f;
        return p * Float.intBitsToFloat(((int) n + 127) << 23);
    }

    /** 1 / (1 + exp(−x)). */
    static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }
}

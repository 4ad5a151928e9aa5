package io.conceptseg.backend.cpu;

/** Element-wise functions: exact (erf) GELU, exp, sigmoid. */
final class Activations {
    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);

    private Activations() { }

    /**
     * erf(x) within 1e-7 absolute for every float x (measured max 9.5e-8 against a series /
     * continued-fraction reference, see KernelsTest): the odd/even rational minimax fit of
     * Eigen/XLA ({@code generic_fast_erf_float}, numerator degree 13, denominator degree 8) on
     * [-4, 4], beyond which erf is ±1 to float precision, evaluated in double. Evaluated in float
     * the same fit errs by 3.3e-7 (float rounding near ±1), and Abramowitz–Stegun 7.1.26 by 1.5e-7
     * before any rounding: neither is used. Multiply-adds, min/max and one division and no exp, so
     * the array form below vectorises.
     */
    static double erf(double v) {
        double x = Math.max(-4.0, Math.min(4.0, v));
        double x2 = x * x;
        double p = x2 * -2.72614225801306e-10 + 2.77068142495902e-08;
        p = x2 * p + -2.10102402082508e-06;
        p = x2 * p + -5.69250639462346e-05;
        p = x2 * p + -7.34990630326855e-04;
        p = x2 * p + -2.95459980854025e-03;
        p = x2 * p + -1.60960333262415e-02;
        p = x * p;
        double q = x2 * -1.45660718464996e-05 + -2.13374055278905e-04;
        q = x2 * q + -1.68282697438203e-03;
        q = x2 * q + -7.37332916720468e-03;
        q = x2 * q + -1.42647390514189e-02;
        // the fit overshoots ±1 by up to 5e-8 near |x| = 4, which GELU's far tail would multiply by |x|
        return Math.max(-1.0, Math.min(1.0, p / q));
    }

    /** GELU(x) = 0.5·x·(1 + erf(x/√2)), the exact form the model was trained with (not the tanh form). */
    static float gelu(float x) {
        return (float) gelu((double) x);
    }

    private static double gelu(double x) {
        return 0.5 * x * (1.0 + erf(x * INV_SQRT2));
    }

    /** GELU in place on {@code x[0..n)}. */
    static void gelu(float[] x, int n) {
        gelu(x, 0, n);
    }

    /**
     * GELU in place on {@code x[from..to)}, with the same values as {@link #gelu(float)}. Done in
     * chunks widened into a double array: a loop over one double array vectorises (C2 superword,
     * ~1.2 ns an element), a loop that converts float to double inside does not (~6.4 ns).
     */
    static void gelu(float[] x, int from, int to) {
        gelu(x, from, to, new double[Math.min(GELU_CHUNK, Math.max(0, to - from))]);
    }

    /** {@link #gelu(float[], int, int)} with a caller's buffer (any length ≥ 1). */
    static void gelu(float[] x, int from, int to, double[] d) {
        int chunk = d.length;
        for (int s = from; s < to; s += chunk) {
            int n = Math.min(chunk, to - s);
            for (int j = 0; j < n; j++) {
                d[j] = x[s + j];
            }
            geluInPlace(d, n);
            for (int j = 0; j < n; j++) {
                x[s + j] = (float) d[j];
            }
        }
    }

    /** Chunk length of the double buffer. */
    static final int GELU_CHUNK = 1024;

    private static void geluInPlace(double[] d, int n) {
        for (int j = 0; j < n; j++) {
            d[j] = gelu(d[j]);
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

    /**
     * {@code s[i] = exp(s[i] − max[i])} for i in [0, n), the same values as
     * {@link #expNonPositive}, in two loops: the reduction and the polynomial in float arithmetic
     * only (it vectorises), then the scaling by 2ⁿ through the exponent bits (scalar: int/float bit
     * moves do not vectorise on JDK 17). 1.9 ns an element instead of 4.2.
     *
     * @param exponents scratch of at least n floats
     */
    static void expBelowMax(float[] s, float[] max, float[] exponents, int n) {
        for (int i = 0; i < n; i++) {
            float t = s[i] - max[i];
            float e = (t * 1.44269504088896341f + 12582912f) - 12582912f;
            // clamped copies keep the polynomial finite where the result will be 0 anyway
            float tc = Math.max(t, -87.3f);
            float ec = Math.max(e, -126f);
            float r = tc - ec * 0.693359375f + ec * 2.12194440e-4f;
            float p = 1.9875691500E-4f;
            p = p * r + 1.3981999507E-3f;
            p = p * r + 8.3334519073E-3f;
            p = p * r + 4.1665795894E-2f;
            p = p * r + 1.6666665459E-1f;
            p = p * r + 5.0000001201E-1f;
            s[i] = p * r * r + r + 1f;
            exponents[i] = e;
        }
        for (int i = 0; i < n; i++) {
            float e = exponents[i];
            s[i] = e < -126f ? 0f : s[i] * Float.intBitsToFloat(((int) e + 127) << 23);
        }
    }

    /** 1 / (1 + exp(−x)). */
    static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }
}

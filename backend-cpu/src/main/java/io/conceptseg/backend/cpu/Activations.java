package io.conceptseg.backend.cpu;

/** Element-wise functions: exact (erf) GELU, sigmoid. */
final class Activations {
    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);

    private Activations() { }

    /**
     * erf(x), evaluated in double, within 1e-7 absolute for every float x (measured max 9.5e-8 against
     * a series/continued-fraction reference, see ActivationsTest). It is the odd/even rational
     * minimax fit of Eigen/XLA ({@code generic_fast_erf_float}: numerator degree 13, denominator
     * degree 8) on [-4, 4], beyond which erf is 1 to float precision. Multiply-adds and one division,
     * no exp: cheap enough for the ~2 M GELUs of a default-size run. Evaluated in float the same fit
     * errs by 4e-7, and the Abramowitz–Stegun 7.1.26 form by 1.5e-7 before rounding; hence double.
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
        return p / q;
    }

    /** GELU(x) = 0.5·x·(1 + erf(x/√2)), the exact form the model was trained with (not the tanh form). */
    static float gelu(float x) {
        return (float) (0.5 * x * (1.0 + erf(x * INV_SQRT2)));
    }

    /** GELU in place on {@code x[0..n)}. */
    static void gelu(float[] x, int n) {
        for (int i = 0; i < n; i++) {
            x[i] = gelu(x[i]);
        }
    }

    /** GELU in place on {@code x[from..to)}. */
    static void gelu(float[] x, int from, int to) {
        for (int i = from; i < to; i++) {
            x[i] = gelu(x[i]);
        }
    }

    /** 1 / (1 + exp(−x)). */
    static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }
}

package io.conceptseg.backend.cpu;

import java.util.Random;

/** Straightforward reference implementations (double accumulation) the kernels are checked against. */
final class Naive {
    private Naive() { }

    static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** y[t, o] = b[o] + Σ_i x[t, i]·w[o, i]. */
    static float[] linear(float[] x, int rows, float[] w, float[] b, int out, int in) {
        float[] y = new float[rows * out];
        for (int t = 0; t < rows; t++) {
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int i = 0; i < in; i++) {
                    s += (double) x[t * in + i] * w[o * in + i];
                }
                y[t * out + o] = (float) s;
            }
        }
        return y;
    }

    /** The doc's Conv2d: y[o, r, c] = b[o] + Σ w[o, i, a, bb]·x[i, r·s + a − p, c·s + bb − p]. */
    static float[] conv(float[] x, int in, int h, int w, float[] wt, float[] b, int out, int k, int s, int p) {
        int oh = (h + 2 * p - k) / s + 1;
        int ow = (w + 2 * p - k) / s + 1;
        float[] y = new float[out * oh * ow];
        for (int o = 0; o < out; o++) {
            for (int r = 0; r < oh; r++) {
                for (int c = 0; c < ow; c++) {
                    double sum = b[o];
                    for (int i = 0; i < in; i++) {
                        for (int a = 0; a < k; a++) {
                            for (int bb = 0; bb < k; bb++) {
                                int iy = r * s + a - p;
                                int ix = c * s + bb - p;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                    sum += (double) wt[((o * in + i) * k + a) * k + bb] * x[(i * h + iy) * w + ix];
                                }
                            }
                        }
                    }
                    y[(o * oh + r) * ow + c] = (float) sum;
                }
            }
        }
        return y;
    }

    /** Multi-head attention core: softmax(Q_h·K_hᵀ/√e + bias)·V_h per head; bias = (1 − mask)·neg (+ neg above the diagonal). */
    static float[] attend(float[] q, int tq, float[] k, float[] v, int tk, int width, int heads, float[] mask, boolean causal,
            float neg) {
        int e = width / heads;
        float[] o = new float[tq * width];
        for (int j = 0; j < heads; j++) {
            for (int a = 0; a < tq; a++) {
                double[] s = new double[tk];
                double max = Double.NEGATIVE_INFINITY;
                for (int b = 0; b < tk; b++) {
                    double dot = 0;
                    for (int c = 0; c < e; c++) {
                        dot += (double) q[a * width + j * e + c] * k[b * width + j * e + c];
                    }
                    s[b] = dot / Math.sqrt(e) + (mask == null ? 0 : (1 - mask[b]) * (double) neg) + (causal && b > a ? neg : 0);
                    max = Math.max(max, s[b]);
                }
                double sum = 0;
                for (int b = 0; b < tk; b++) {
                    s[b] = Math.exp(s[b] - max);
                    sum += s[b];
                }
                for (int c = 0; c < e; c++) {
                    double acc = 0;
                    for (int b = 0; b < tk; b++) {
                        acc += s[b] / sum * v[b * width + j * e + c];
                    }
                    o[a * width + j * e + c] = (float) acc;
                }
            }
        }
        return o;
    }

    /** LayerNorm of each row of x [rows, c]. */
    static float[] layerNorm(float[] x, int rows, int c, float[] g, float[] b, double eps) {
        float[] y = new float[rows * c];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int i = 0; i < c; i++) {
                mean += x[r * c + i];
            }
            mean /= c;
            double var = 0;
            for (int i = 0; i < c; i++) {
                var += (x[r * c + i] - mean) * (x[r * c + i] - mean);
            }
            var /= c;
            for (int i = 0; i < c; i++) {
                y[r * c + i] = (float) ((x[r * c + i] - mean) / Math.sqrt(var + eps) * g[i] + b[i]);
            }
        }
        return y;
    }

    /** erf to ~1e-15: Taylor series below 3, Lentz continued fraction of erfc above. */
    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax > 6) {
            return Math.signum(x);
        }
        if (ax < 3) {
            double sum = 0;
            double term = x;
            for (int n = 0; ; n++) {
                double t = term / (2 * n + 1);
                sum += t;
                if (Math.abs(t) < 1e-17) {
                    break;
                }
                term *= -x * x / (n + 1);
            }
            return 2 / Math.sqrt(Math.PI) * sum;
        }
        // erfc(z) = exp(−z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + ...))))
        double f = ax;
        double cc = ax;
        double d = 0;
        for (int i = 1; i < 300; i++) {
            double a = i / 2.0;
            d = 1 / (ax + a * d);
            cc = ax + a / cc;
            double delta = cc * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return Math.signum(x) * (1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f);
    }

    static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /** Largest |a − b| over the arrays. */
    static double maxDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths " + a.length + " and " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (Double.isNaN(d)) {
                return Double.POSITIVE_INFINITY;
            }
            m = Math.max(m, d);
        }
        return m;
    }

    /** Largest |x|, for relative bounds. */
    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}

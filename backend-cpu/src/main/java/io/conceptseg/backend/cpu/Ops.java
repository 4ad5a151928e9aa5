package io.conceptseg.backend.cpu;

/**
 * The model's memory-bound operations: layer norms, nearest 2x upsampling, transposes between
 * channel maps and token rows, bilinear sampling, additions. Large ones are split over the pool.
 */
final class Ops {
    /** Rows (or pixels) per task, so that a task is worth its scheduling. */
    private static final int ROWS_PER_TASK = 64;

    private Ops() { }

    /**
     * LayerNorm over the last axis of x [rows, c]: {@code (x − μ) / sqrt(σ² + eps) · gamma + beta}
     * with the biased variance; a new array.
     */
    static float[] layerNorm(WorkerPool pool, float[] x, int rows, int c, float[] gamma, float[] beta, float eps) {
        float[] y = new float[rows * c];
        int tasks = (rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        pool.forEach(tasks, 4L * rows * c, t -> {
            int end = Math.min(rows, (t + 1) * ROWS_PER_TASK);
            for (int r = t * ROWS_PER_TASK; r < end; r++) {
                layerNormRow(x, r * c, c, gamma, beta, eps, y);
            }
        });
        return y;
    }

    private static void layerNormRow(float[] x, int off, int c, float[] gamma, float[] beta, float eps, float[] y) {
        double sum = 0;
        for (int i = 0; i < c; i++) {
            sum += x[off + i];
        }
        double mean = sum / c;
        double sq = 0;
        for (int i = 0; i < c; i++) {
            double d = x[off + i] - mean;
            sq += d * d;
        }
        double inv = 1.0 / Math.sqrt(sq / c + eps);
        for (int i = 0; i < c; i++) {
            y[off + i] = (float) ((x[off + i] - mean) * inv) * gamma[i] + beta[i];
        }
    }

    /**
     * LayerNorm2d: the LayerNorm over channels of every pixel of a map x [c, pixels], in place; with
     * {@code gelu}, GELU is applied to the result.
     */
    static void layerNorm2d(WorkerPool pool, float[] x, int c, int pixels, float[] gamma, float[] beta, float eps,
            boolean gelu) {
        int block = 256;
        int tasks = (pixels + block - 1) / block;
        pool.forEach(tasks, (gelu ? 12L : 4L) * c * pixels, (t, scratch) -> {
            int p0 = t * block;
            int n = Math.min(block, pixels - p0);
            double[] mean = new double[n];
            double[] sq = new double[n];
            for (int ch = 0; ch < c; ch++) {
                int off = ch * pixels + p0;
                for (int j = 0; j < n; j++) {
                    mean[j] += x[off + j];
                }
            }
            for (int j = 0; j < n; j++) {
                mean[j] /= c;
            }
            for (int ch = 0; ch < c; ch++) {
                int off = ch * pixels + p0;
                for (int j = 0; j < n; j++) {
                    double d = x[off + j] - mean[j];
                    sq[j] += d * d;
                }
            }
            for (int j = 0; j < n; j++) {
                sq[j] = 1.0 / Math.sqrt(sq[j] / c + eps); // now the inverse std
            }
            for (int ch = 0; ch < c; ch++) {
                int off = ch * pixels + p0;
                float g = gamma[ch];
                float b = beta[ch];
                for (int j = 0; j < n; j++) {
                    x[off + j] = (float) ((x[off + j] - mean[j]) * sq[j]) * g + b;
                }
                if (gelu) {
                    Activations.gelu(x, off, off + n, scratch.doubles(Activations.GELU_CHUNK));
                }
            }
        });
    }

    /** GELU in place on {@code x[0..n)}, in parallel chunks (one long loop per chunk vectorises best). */
    static void gelu(WorkerPool pool, float[] x, int n) {
        int chunk = 16384;
        int tasks = (n + chunk - 1) / chunk;
        pool.forEach(tasks, 8L * n, (t, scratch) -> {
            int from = t * chunk;
            Activations.gelu(x, from, Math.min(n, from + chunk), scratch.doubles(Activations.GELU_CHUNK));
        });
    }

    /** {@code up2(x) + skip}: x [c, h, w] upsampled 2x (nearest), plus skip [c, 2h, 2w]; a new array. */
    static float[] up2Add(WorkerPool pool, float[] x, int c, int h, int w, float[] skip, int skipOff) {
        int h2 = 2 * h;
        int w2 = 2 * w;
        float[] y = new float[c * h2 * w2];
        pool.forEach(c, (long) c * h2 * w2, ch -> {
            for (int r = 0; r < h2; r++) {
                int src = ch * h * w + (r >> 1) * w;
                int dst = ch * h2 * w2 + r * w2;
                for (int q = 0; q < w2; q++) {
                    y[dst + q] = x[src + (q >> 1)] + skip[skipOff + dst + q];
                }
            }
        });
        return y;
    }

    /** flatten: a map x [c, pixels] (at {@code x[off..]}) to tokens [pixels, c]; a new array. */
    static float[] mapToTokens(float[] x, int off, int c, int pixels) {
        float[] y = new float[pixels * c];
        transpose(x, off, c, pixels, y);
        return y;
    }

    /** unflatten: tokens x [pixels, c] to a map [c, pixels]; a new array. */
    static float[] tokensToMap(float[] x, int off, int pixels, int c) {
        float[] y = new float[c * pixels];
        transpose(x, off, pixels, c, y);
        return y;
    }

    /** y [cols, rows] = transpose of x [rows, cols], in 32x32 tiles (both sides stay in cache). */
    private static void transpose(float[] x, int off, int rows, int cols, float[] y) {
        int t = 32;
        for (int r0 = 0; r0 < rows; r0 += t) {
            int r1 = Math.min(rows, r0 + t);
            for (int c0 = 0; c0 < cols; c0 += t) {
                int c1 = Math.min(cols, c0 + t);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        y[c * rows + r] = x[off + r * cols + c];
                    }
                }
            }
        }
    }

    /** x + y element-wise; a new array. */
    /** Mean of the valid prompt tokens (mask-weighted, denominator at least 1): [P, D], [P] → [D]. */
    static float[] promptSummary(float[] prompt, float[] promptMask, int p, int d) {
        double[] sum = new double[d];
        double count = 0;
        for (int b = 0; b < p; b++) {
            count += promptMask[b];
            for (int c = 0; c < d; c++) {
                sum[c] += promptMask[b] * prompt[b * d + c];
            }
        }
        float[] summary = new float[d];
        double denominator = Math.max(count, 1.0);
        for (int c = 0; c < d; c++) {
            summary[c] = (float) (sum[c] / denominator);
        }
        return summary;
    }

    static float[] add(float[] x, float[] y) {
        float[] z = new float[x.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = x[i] + y[i];
        }
        return z;
    }

    /**
     * {@code grid_sample(mode=bilinear, padding_mode=zeros, align_corners=False)} of a map
     * [d, hf, wf] at grid point (gx, gy) in [-1, 1]: adds {@code weight ·} the sampled d-vector to
     * {@code acc}. Corners outside the map count as 0, each one separately.
     */
    static void bilinearAdd(float[] map, int off, int d, int hf, int wf, double gx, double gy, double weight, double[] acc) {
        double ix = ((gx + 1) * wf - 1) / 2;
        double iy = ((gy + 1) * hf - 1) / 2;
        int x0 = (int) Math.floor(ix);
        int y0 = (int) Math.floor(iy);
        double fx = ix - x0;
        double fy = iy - y0;
        corner(map, off, d, hf, wf, y0, x0, (1 - fx) * (1 - fy) * weight, acc);
        corner(map, off, d, hf, wf, y0, x0 + 1, fx * (1 - fy) * weight, acc);
        corner(map, off, d, hf, wf, y0 + 1, x0, (1 - fx) * fy * weight, acc);
        corner(map, off, d, hf, wf, y0 + 1, x0 + 1, fx * fy * weight, acc);
    }

    private static void corner(float[] map, int off, int d, int hf, int wf, int y, int x, double wt, double[] acc) {
        if (y < 0 || y >= hf || x < 0 || x >= wf || wt == 0) {
            return;
        }
        int plane = hf * wf;
        int p = off + y * wf + x;
        for (int c = 0; c < d; c++) {
            acc[c] += wt * map[p + c * plane];
        }
    }
}

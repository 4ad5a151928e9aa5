package io.conceptseg.backend.cpu;

import java.util.Arrays;

/**
 * A 2-D convolution (groups 1, no dilation, zero padding) as a matrix product: the weights
 * [out, in, kh, kw] are already the row-major matrix A [out, in·kh·kw], and B is the image unrolled
 * (im2col) block by block straight into the panels the product consumes, so the unrolled image is
 * never materialised whole. A 1x1 convolution just copies rows of the input.
 */
final class Conv2d {
    private final float[] weight;
    private final float[] bias;
    private final int out;
    private final int in;
    private final int kernel;
    private final int stride;
    private final int pad;
    private final Winograd winograd; // for 3x3, stride 1, pad 1; null otherwise

    /** @param weight [out, in, kernel, kernel]; @param bias [out] */
    Conv2d(float[] weight, float[] bias, int out, int in, int kernel, int stride, int pad) {
        if (weight.length != out * in * kernel * kernel || bias.length != out) {
            throw new IllegalArgumentException("conv " + out + "x" + in + "x" + kernel + "x" + kernel + " got " + weight.length
                    + " weights, " + bias.length + " biases");
        }
        this.weight = weight;
        this.bias = bias;
        this.out = out;
        this.in = in;
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
        this.winograd = kernel == 3 && stride == 1 && pad == 1 ? new Winograd(weight, bias, out, in) : null;
    }

    int out() {
        return out;
    }

    /** Output side for an input side. */
    int outSize(int size) {
        return (size + 2 * pad - kernel) / stride + 1;
    }

    /**
     * Convolves x [in, h, w] (at {@code x[xOff..]}); returns [out, oh, ow], GELU applied when asked.
     * A 3x3 stride-1 convolution goes through {@link Winograd} (2.25x fewer multiply-adds).
     */
    float[] apply(WorkerPool pool, float[] x, int xOff, int h, int w, boolean gelu) {
        if (winograd != null) {
            return winograd.apply(pool, x, xOff, h, w, gelu);
        }
        return applyIm2col(pool, x, xOff, h, w, gelu);
    }

    /** The convolution as one matrix product with the unrolled image (any kernel, stride, padding). */
    float[] applyIm2col(WorkerPool pool, float[] x, int xOff, int h, int w, boolean gelu) {
        int oh = outSize(h);
        int ow = outSize(w);
        int pixels = oh * ow;
        int k = in * kernel * kernel;
        float[] y = new float[out * pixels];
        Sgemm.Panels panels = kernel == 1 && stride == 1 && pad == 0
                ? Sgemm.rowMajor(x, xOff, pixels)
                : stride == 1 ? new Im2col(x, xOff, h, w, kernel, 1, pad, ow)
                : Im2col.phases(pool, x, xOff, in, h, w, kernel, stride, pad, ow);
        Sgemm.Epilogue epilogue = new Sgemm.Epilogue() {
            @Override
            public void init(float[][] acc, int r0, int m, int jb, int j0, int nc) {
                for (int i = 0; i < m; i++) {
                    Arrays.fill(acc[i], 0, nc, bias[r0 + i]);
                }
            }

            @Override
            public void store(float[][] acc, int r0, int m, int jb, int j0, int nc) {
                for (int i = 0; i < m; i++) {
                    System.arraycopy(acc[i], 0, y, (r0 + i) * pixels + j0, nc);
                }
            }
        };
        // tiles take every output channel unless that leaves threads idle: B (the unrolled image) is
        // then built once per pixel block
        int tile = Sgemm.rowsPerTile(out, pixels, pool.parallelism(), out);
        Sgemm.multiply(pool, weight, 0, out, k, pixels, panels, epilogue, tile);
        if (gelu) {
            Ops.gelu(pool, y, y.length);
        }
        return y;
    }

    /**
     * Rows of the unrolled image: row (ci, a, b), column (r, c) holds x[ci, r·s + a − p, c·s + b − p].
     * Every such row is, output row by output row, a shifted copy of one plane (zero outside it):
     * for stride 1 the input channel itself; for stride s one of the channel's s² phases (for s = 2:
     * even or odd rows × even or odd columns), which are split off once per convolution. So each row
     * is filled by array copies, never element by element.
     */
    static final class Im2col implements Sgemm.Panels {
        private final float[] planes;
        private final int off;
        private final int ph;
        private final int pw;
        private final int kernel;
        private final int stride;
        private final int pad;
        private final int ow;

        /**
         * @param planes the planes, channel-major, stride² planes of ph × pw per channel (phase
         *        (py, px) at index py·stride + px; for stride 1 the channels themselves)
         */
        Im2col(float[] planes, int off, int ph, int pw, int kernel, int stride, int pad, int ow) {
            this.planes = planes;
            this.off = off;
            this.ph = ph;
            this.pw = pw;
            this.kernel = kernel;
            this.stride = stride;
            this.pad = pad;
            this.ow = ow;
        }

        /** Splits x [in, h, w] into its stride² phases, in parallel over channels. */
        static Im2col phases(WorkerPool pool, float[] x, int xOff, int in, int h, int w, int kernel, int stride, int pad,
                int ow) {
            int ph = (h + stride - 1) / stride;
            int pw = (w + stride - 1) / stride;
            int n = stride * stride;
            float[] phases = new float[in * n * ph * pw]; // zero where a side not divisible by the stride leaves a phase short
            pool.forEach(in, (long) in * h * w, ci -> {
                for (int py = 0; py < stride; py++) {
                    for (int px = 0; px < stride; px++) {
                        int dst = ((ci * n + py * stride + px) * ph) * pw;
                        for (int r = 0; py + stride * r < h; r++) {
                            int src = xOff + (ci * h + py + stride * r) * w + px;
                            int d = dst + r * pw;
                            for (int c = 0; px + stride * c < w; c++) {
                                phases[d + c] = x[src + stride * c];
                            }
                        }
                    }
                }
            });
            return new Im2col(phases, 0, ph, pw, kernel, stride, pad, ow);
        }

        @Override
        public int offset(int k0) {
            return 0;
        }

        @Override
        public float[][] rows(int k0, int kc, int jb, int j0, int nc, float[][] scratch) {
            int kk2 = kernel * kernel;
            for (int kk = 0; kk < kc; kk++) {
                int kidx = k0 + kk;
                int ci = kidx / kk2;
                int a = (kidx % kk2) / kernel;
                int b = kidx % kernel;
                // input row r·s + a − pad = s·(r + dy) + py, column likewise
                int iy = a - pad;
                int ix = b - pad;
                int py = Math.floorMod(iy, stride);
                int px = Math.floorMod(ix, stride);
                int dy = Math.floorDiv(iy, stride);
                int dx = Math.floorDiv(ix, stride);
                int plane = off + (ci * stride * stride + py * stride + px) * ph * pw;
                fillRow(scratch[kk], plane, dy, dx, j0, nc);
            }
            return scratch;
        }

        /** row[p − j0] = plane[r + dy, c + dx] (0 outside the plane) for output pixels p = r·ow + c in [j0, j0+nc). */
        private void fillRow(float[] row, int plane, int dy, int dx, int j0, int nc) {
            int end = j0 + nc;
            int p = j0;
            while (p < end) {
                int r = p / ow;
                int c0 = p - r * ow;
                int c1 = Math.min(ow, c0 + (end - p));
                int d = p - j0;
                int sy = r + dy;
                // source columns c + dx lie in [0, pw) for c in [lo, hi)
                int lo = Math.max(c0, -dx);
                int hi = Math.min(c1, pw - dx);
                if (sy < 0 || sy >= ph || hi <= lo) {
                    Arrays.fill(row, d, d + (c1 - c0), 0f);
                } else {
                    Arrays.fill(row, d, d + (lo - c0), 0f);
                    System.arraycopy(planes, plane + sy * pw + lo + dx, row, d + (lo - c0), hi - lo);
                    Arrays.fill(row, d + (hi - c0), d + (c1 - c0), 0f);
                }
                p += c1 - c0;
            }
        }
    }
}

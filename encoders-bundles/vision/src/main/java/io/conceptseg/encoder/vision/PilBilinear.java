package io.conceptseg.encoder.vision;

/**
 * Resizes 8-bit RGB images exactly as Pillow's {@code Image.resize(size, Image.BILINEAR)} does
 * (Pillow's libImaging/Resample.c), so that the pixels the model sees here are the pixels the
 * training code (PIL) fed it.
 *
 * <p>That is a convolution with a triangle filter whose support grows with the downscale factor
 * (antialiasing), applied separably: the horizontal pass first, rounded to uint8, then the
 * vertical pass. Weights are computed in double, normalised per output pixel, then turned into
 * fixed-point integers with 22 fractional bits; each pass accumulates in int from a rounding
 * offset of one half and clips to 0..255.
 */
final class PilBilinear {
    /** Pillow's PRECISION_BITS for 8-bit images: 32 - 8 - 2. */
    private static final int PRECISION_BITS = 22;
    /** The bilinear (triangle) filter's support at scale 1. */
    private static final double SUPPORT = 1.0;

    private PilBilinear() { }

    /** Per output pixel: the first input index, the number of taps, and fixed-point weights. */
    private record Coefficients(int[] first, int[] count, int[] weights, int taps) { }

    /**
     * Resizes row-major RGB bytes.
     *
     * @param rgb {@code width * height * 3} bytes
     * @return {@code outWidth * outHeight * 3} bytes
     */
    static byte[] resize(byte[] rgb, int width, int height, int outWidth, int outHeight) {
        if (width <= 0 || height <= 0 || outWidth <= 0 || outHeight <= 0) {
            throw new IllegalArgumentException("cannot resize " + width + "x" + height + " to " + outWidth + "x" + outHeight);
        }
        if (outWidth == width && outHeight == height) {
            return rgb.clone();
        }
        byte[] src = rgb;
        int w = width;
        if (outWidth != width) {
            src = horizontal(src, width, height, outWidth, coefficients(width, outWidth));
            w = outWidth;
        }
        if (outHeight != height) {
            src = vertical(src, w, height, outHeight, coefficients(height, outHeight));
        }
        return src;
    }

    /** Pillow's precompute_coeffs + normalize_coeffs_8bpc for the box [0, inSize). */
    private static Coefficients coefficients(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = SUPPORT * filterScale;
        int taps = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        int[] weights = new int[outSize * taps];
        double[] k = new double[taps];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            // C's (int) truncates towards zero, like Java's cast
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                double w = triangle((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                double w = ww != 0.0 ? k[x] / ww : k[x];
                weights[xx * taps + x] = (int) (w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
            }
            first[xx] = xmin;
            count[xx] = xmax;
        }
        return new Coefficients(first, count, weights, taps);
    }

    private static double triangle(double x) {
        double a = Math.abs(x);
        return a < 1.0 ? 1.0 - a : 0.0;
    }

    private static byte[] horizontal(byte[] in, int width, int height, int outWidth, Coefficients c) {
        byte[] out = new byte[outWidth * height * 3];
        for (int y = 0; y < height; y++) {
            int row = y * width * 3;
            for (int xx = 0; xx < outWidth; xx++) {
                int xmin = c.first[xx];
                int n = c.count[xx];
                int kw = xx * c.taps;
                int s0 = 1 << (PRECISION_BITS - 1);
                int s1 = s0;
                int s2 = s0;
                for (int x = 0; x < n; x++) {
                    int p = row + (xmin + x) * 3;
                    int wgt = c.weights[kw + x];
                    s0 += (in[p] & 0xff) * wgt;
                    s1 += (in[p + 1] & 0xff) * wgt;
                    s2 += (in[p + 2] & 0xff) * wgt;
                }
                int o = (y * outWidth + xx) * 3;
                out[o] = clip8(s0);
                out[o + 1] = clip8(s1);
                out[o + 2] = clip8(s2);
            }
        }
        return out;
    }

    private static byte[] vertical(byte[] in, int width, int height, int outHeight, Coefficients c) {
        byte[] out = new byte[width * outHeight * 3];
        for (int yy = 0; yy < outHeight; yy++) {
            int ymin = c.first[yy];
            int n = c.count[yy];
            int kw = yy * c.taps;
            for (int xx = 0; xx < width; xx++) {
                int s0 = 1 << (PRECISION_BITS - 1);
                int s1 = s0;
                int s2 = s0;
                for (int y = 0; y < n; y++) {
                    int p = ((ymin + y) * width + xx) * 3;
                    int wgt = c.weights[kw + y];
                    s0 += (in[p] & 0xff) * wgt;
                    s1 += (in[p + 1] & 0xff) * wgt;
                    s2 += (in[p + 2] & 0xff) * wgt;
                }
                int o = (yy * width + xx) * 3;
                out[o] = clip8(s0);
                out[o + 1] = clip8(s1);
                out[o + 2] = clip8(s2);
            }
        }
        return out;
    }

    /** Pillow's clip8: the fixed-point sum to 0..255. */
    private static byte clip8(int v) {
        int q = v >> PRECISION_BITS;
        return (byte) (q < 0 ? 0 : Math.min(q, 255));
    }
}

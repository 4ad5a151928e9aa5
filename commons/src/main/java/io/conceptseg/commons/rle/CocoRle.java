package io.conceptseg.commons.rle;

import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.Rle;

/**
 * COCO run-length encoding exactly as pycocotools writes it: runs over the mask in column-major
 * order, starting with a run of zeros, compressed to a string of 6-bit chunks (5 data bits plus a
 * continuation bit, offset by 48) where each count after the second is stored as the difference
 * to the count two before it.
 */
public final class CocoRle {
    private CocoRle() { }

    /**
     * Encodes a row-major binary mask ({@code mask[y * width + x]}).
     */
    public static Rle encode(boolean[] mask, int height, int width) {
        if (mask.length != (long) height * width) {
            throw new IllegalArgumentException("mask has " + mask.length + " pixels, not " + height + "x" + width);
        }
        int[] counts = new int[height * width + 1];
        int n = 0;
        boolean current = false;
        int run = 0;
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < height; y++) {
                boolean v = mask[y * width + x];
                if (v != current) {
                    counts[n++] = run;
                    run = 0;
                    current = v;
                }
                run++;
            }
        }
        counts[n++] = run;
        return new Rle(height, width, compress(counts, n));
    }

    /** Compresses uncompressed counts (pycocotools rleToString). */
    public static String compress(int[] counts, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            long x = counts[i];
            if (i > 2) {
                x -= counts[i - 2];
            }
            boolean more = true;
            while (more) {
                long c = x & 0x1f;
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) {
                    c |= 0x20;
                }
                s.append((char) (c + 48));
            }
        }
        return s.toString();
    }

    /**
     * Decompresses a counts string (pycocotools rleFrString).
     *
     * @throws InvalidInputException naming {@code where} when the string is malformed
     */
    public static int[] counts(String where, String s) {
        int[] out = new int[Math.max(4, s.length())];
        int m = 0;
        int p = 0;
        while (p < s.length()) {
            long x = 0;
            int k = 0;
            boolean more = true;
            while (more) {
                if (p >= s.length()) {
                    throw new InvalidInputException(where, "malformed RLE counts: string ends inside a number");
                }
                int ch = s.charAt(p) - 48;
                if (ch < 0 || ch > 63) {
                    throw new InvalidInputException(where, "malformed RLE counts: bad character '" + s.charAt(p) + "'");
                }
                x |= (long) (ch & 0x1f) << (5 * k);
                more = (ch & 0x20) != 0;
                p++;
                k++;
                if (!more && (ch & 0x10) != 0) {
                    x |= -1L << (5 * k);
                }
                if (k > 12) {
                    throw new InvalidInputException(where, "malformed RLE counts: number too long");
                }
            }
            if (m > 2) {
                x += out[m - 2];
            }
            if (x < 0 || x > Integer.MAX_VALUE) {
                throw new InvalidInputException(where, "malformed RLE counts: negative or huge run " + x);
            }
            out[m++] = (int) x;
        }
        return java.util.Arrays.copyOf(out, m);
    }

    /**
     * Decodes to a row-major mask, checking the runs cover exactly height x width pixels.
     *
     * @throws InvalidInputException naming {@code where} when they do not
     */
    public static boolean[] decode(String where, Rle rle) {
        int h = rle.height();
        int w = rle.width();
        int[] c = counts(where, rle.counts());
        long total = 0;
        for (int v : c) {
            total += v;
        }
        if (total != (long) h * w) {
            throw new InvalidInputException(where, "malformed RLE: runs cover " + total + " pixels, size is " + h + "x" + w);
        }
        boolean[] mask = new boolean[h * w];
        int pos = 0;
        boolean v = false;
        for (int run : c) {
            for (int k = 0; k < run; k++, pos++) {
                if (v) {
                    int x = pos / h;
                    int y = pos % h;
                    mask[y * w + x] = true;
                }
            }
            v = !v;
        }
        return mask;
    }

    /** Number of on pixels of an RLE without decoding to a mask. */
    public static long area(String where, Rle rle) {
        int[] c = counts(where, rle.counts());
        long a = 0;
        for (int i = 1; i < c.length; i += 2) {
            a += c[i];
        }
        return a;
    }
}

package io.conceptseg.commons.rle;

import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.Rle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A binary mask kept as its runs of set pixels (half-open intervals of the column-major pixel index,
 * the order of COCO RLE), so that areas, intersections and unions cost the number of runs, not the
 * number of pixels, and a data set of thousands of masks stays small in memory.
 */
public final class RunMask {
    /** Rows of the image the mask covers. */
    public final int height;
    /** Columns of the image. */
    public final int width;
    private final int[] starts;
    private final int[] ends;
    /** Set pixels. */
    public final long area;

    private RunMask(int height, int width, int[] starts, int[] ends, int n) {
        this.height = height;
        this.width = width;
        this.starts = Arrays.copyOf(starts, n);
        this.ends = Arrays.copyOf(ends, n);
        long a = 0;
        for (int i = 0; i < n; i++) {
            a += this.ends[i] - this.starts[i];
        }
        this.area = a;
    }

    /**
     * Reads a compressed COCO RLE.
     *
     * @throws InvalidInputException naming {@code where} when the counts are malformed or do not
     *         cover exactly height x width pixels
     */
    public static RunMask of(String where, Rle rle) {
        int[] counts = CocoRle.counts(where, rle.counts());
        return fromCounts(where, rle.height(), rle.width(), counts);
    }

    /** Reads uncompressed COCO RLE counts (the integer-list form). */
    public static RunMask fromCounts(String where, int height, int width, int[] counts) {
        long total = (long) height * width;
        long covered = 0;
        for (int c : counts) {
            if (c < 0) {
                throw new InvalidInputException(where, "malformed RLE: negative run " + c);
            }
            covered += c;
        }
        if (covered != total) {
            throw new InvalidInputException(where, "malformed RLE: runs cover " + covered + " pixels, size is " + height + "x" + width);
        }
        int n = counts.length / 2;
        int[] s = new int[n];
        int[] e = new int[n];
        int k = 0;
        int pos = 0;
        for (int i = 0; i < counts.length; i++) {
            if (i % 2 == 1 && counts[i] > 0) {
                s[k] = pos;
                e[k] = pos + counts[i];
                k++;
            }
            pos += counts[i];
        }
        return new RunMask(height, width, s, e, k);
    }

    /** A mask from a row-major boolean array ({@code mask[y * width + x]}), for tests and callers holding pixels. */
    public static RunMask of(boolean[] mask, int height, int width) {
        return of("mask", CocoRle.encode(mask, height, width));
    }

    /** The empty mask of a size. */
    public static RunMask empty(int height, int width) {
        return new RunMask(height, width, new int[0], new int[0], 0);
    }

    /** Pixels set in both masks. */
    public long intersection(RunMask o) {
        long inter = 0;
        int i = 0;
        int j = 0;
        while (i < starts.length && j < o.starts.length) {
            int lo = Math.max(starts[i], o.starts[j]);
            int hi = Math.min(ends[i], o.ends[j]);
            if (hi > lo) {
                inter += hi - lo;
            }
            if (ends[i] < o.ends[j]) {
                i++;
            } else {
                j++;
            }
        }
        return inter;
    }

    /**
     * Intersection over union as pycocotools computes it: for a crowd ground truth the union is the
     * prediction's area; 0 when the union is empty.
     */
    public double iou(RunMask groundTruth, boolean crowd) {
        long inter = intersection(groundTruth);
        long union = crowd ? area : area + groundTruth.area - inter;
        return union == 0 ? 0 : (double) inter / (double) union;
    }

    /** The union of masks of one size (the empty mask of that size when there are none). */
    public static RunMask union(List<RunMask> masks, int height, int width) {
        List<int[]> runs = new ArrayList<>();
        for (RunMask m : masks) {
            for (int i = 0; i < m.starts.length; i++) {
                runs.add(new int[] {m.starts[i], m.ends[i]});
            }
        }
        runs.sort((a, b) -> Integer.compare(a[0], b[0]));
        int[] s = new int[runs.size()];
        int[] e = new int[runs.size()];
        int n = 0;
        for (int[] r : runs) {
            if (n > 0 && r[0] <= e[n - 1]) {
                e[n - 1] = Math.max(e[n - 1], r[1]);
            } else {
                s[n] = r[0];
                e[n] = r[1];
                n++;
            }
        }
        return new RunMask(height, width, s, e, n);
    }

    /** The tight box [x, y, w, h] of the set pixels, as pycocotools toBbox; zeros when empty. */
    public double[] bbox() {
        if (starts.length == 0) {
            return new double[4];
        }
        int xMin = Integer.MAX_VALUE;
        int xMax = -1;
        int yMin = Integer.MAX_VALUE;
        int yMax = -1;
        for (int i = 0; i < starts.length; i++) {
            int first = starts[i];
            int last = ends[i] - 1;
            int x0 = first / height;
            int x1 = last / height;
            xMin = Math.min(xMin, x0);
            xMax = Math.max(xMax, x1);
            if (x0 == x1) {
                yMin = Math.min(yMin, first % height);
                yMax = Math.max(yMax, last % height);
            } else {
                // a run over a column boundary covers the bottom of one column and the top of the next
                yMin = 0;
                yMax = height - 1;
            }
        }
        return new double[] {xMin, yMin, xMax - xMin + 1, yMax - yMin + 1};
    }
}

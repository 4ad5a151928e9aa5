package io.conceptseg.decoder;

import io.conceptseg.api.Rle;
import io.conceptseg.api.stage.Letterbox;
import io.conceptseg.commons.rle.CocoRle;
import io.conceptseg.commons.rle.RunMask;
import java.util.Arrays;

/**
 * Turns a query's mask logits (a {@code gridHeight x gridWidth} grid over the letterboxed S x S
 * model frame) into a COCO RLE of the original image, in one pass and without an intermediate
 * image-sized mask.
 *
 * <p>Sampling: original pixel x has its centre at model pixel u = (x + 0.5) * scale; its grid
 * coordinate is u * gridWidth / S - 0.5 (the align_corners=False convention; u / 4 - 0.5 for an S/4
 * grid), clamped to the grid, then interpolated bilinearly; likewise for rows. The padded part of
 * the frame is never sampled as a pixel of its own, so no mask pixel can lie outside the image
 * (bilinear weights still blend the last image row/column with its padded neighbour, as upsampling
 * the whole frame and cropping would). A pixel is on when its logit is above the threshold.
 *
 * <p>The per-column and per-row indices and weights are computed once per image (in the
 * constructor). Pixels are visited column by column, which is the order COCO runs count in, so
 * the runs come out directly; only a column of {@code gridHeight} floats and the run buffer are
 * kept, both reused across queries. A column, or a stretch of rows between two grid rows, whose
 * grid values all lie on one side of the threshold is written as one run without visiting its
 * pixels. Not thread-safe: one instance per decode call.
 */
final class LetterboxMaskEncoder {
    /** Relative error bound of the two float blends (a few ulps), with room to spare. */
    private static final double ROUNDING = 1e-5;

    private final int width;
    private final int height;
    private final int gridWidth;
    private final int[] colLo;
    private final int[] colHi;
    private final float[] colWeightLo;
    private final float[] colWeightHi;
    private final int[] rowLo;
    private final int[] rowHi;
    private final float[] rowWeightLo;
    private final float[] rowWeightHi;
    /** Grid rows any image row reads: the rows below are padding only. */
    private final int rowsUsed;
    /** Rows [segmentStart[k], segmentStart[k + 1]) blend the same two grid rows. */
    private final int[] segmentStart;
    private final int segmentCount;
    private final float[] column;
    // run state of the mask being encoded
    private int[] runs = new int[64];
    private int runCount;
    private int run;
    private boolean on;
    private long area;

    /**
     * @param letterbox how the original image sits in the model frame
     * @param gridHeight rows of the logit grid (S/4 for the default model)
     * @param gridWidth columns of the logit grid
     */
    LetterboxMaskEncoder(Letterbox letterbox, int gridHeight, int gridWidth) {
        if (gridHeight < 1 || gridWidth < 1) {
            throw new IllegalArgumentException("mask grid " + gridHeight + "x" + gridWidth + " is empty");
        }
        this.width = letterbox.width();
        this.height = letterbox.height();
        this.gridWidth = gridWidth;
        colLo = new int[width];
        colHi = new int[width];
        colWeightLo = new float[width];
        colWeightHi = new float[width];
        sampling(width, letterbox.scale() * gridWidth / letterbox.side(), gridWidth, colLo, colHi, colWeightLo, colWeightHi);
        rowLo = new int[height];
        rowHi = new int[height];
        rowWeightLo = new float[height];
        rowWeightHi = new float[height];
        sampling(height, letterbox.scale() * gridHeight / letterbox.side(), gridHeight, rowLo, rowHi, rowWeightLo, rowWeightHi);
        rowsUsed = rowHi[height - 1] + 1;
        int[] starts = new int[height + 1];
        int count = 0;
        for (int y = 0; y < height; y++) {
            if (y == 0 || rowLo[y] != rowLo[y - 1] || rowHi[y] != rowHi[y - 1]) {
                starts[count++] = y;
            }
        }
        starts[count] = height;
        segmentStart = Arrays.copyOf(starts, count + 1);
        segmentCount = count;
        column = new float[rowsUsed];
    }

    /** Indices and weights of the two grid cells each output pixel of one axis blends. */
    private static void sampling(int n, double gridPerPixel, int grid, int[] lo, int[] hi, float[] wLo, float[] wHi) {
        for (int i = 0; i < n; i++) {
            double m = (i + 0.5) * gridPerPixel - 0.5;
            if (m < 0) {
                m = 0;
            }
            int l = (int) m;
            double w = m - l;
            if (l >= grid - 1) {
                l = grid - 1;
                w = 0;
            }
            lo[i] = l;
            hi[i] = Math.min(l + 1, grid - 1);
            wHi[i] = (float) w;
            wLo[i] = (float) (1.0 - w);
        }
    }

    /** An encoded mask, its pixel count and its uncompressed COCO counts. */
    record EncodedMask(Rle rle, long area, int[] counts) {
        /** The mask as runs, for overlaps between detections (built on demand: only duplicate suppression needs it). */
        RunMask runs() {
            return RunMask.fromCounts("mask", rle.height(), rle.width(), counts);
        }
    }

    /**
     * Upsamples and encodes one grid.
     *
     * @param logits holds the grid row-major at {@code offset}
     * @param threshold a pixel is on when its logit is above this
     * @return the mask, or null when no pixel is on
     */
    EncodedMask encode(float[] logits, int offset, double threshold) {
        runCount = 0;
        run = 0;
        on = false;
        area = 0;
        for (int x = 0; x < width; x++) {
            int lo = offset + colLo[x];
            int hi = offset + colHi[x];
            float wl = colWeightLo[x];
            float wh = colWeightHi[x];
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int gy = 0, g = 0; gy < rowsUsed; gy++, g += gridWidth) {
                float c = wl * logits[lo + g] + wh * logits[hi + g];
                column[gy] = c;
                min = Math.min(min, c);
                max = Math.max(max, c);
            }
            // Every pixel blends two of these values, so when all of them lie on one side of the
            // threshold (by more than float rounding) the whole column is one run, and likewise
            // for the rows between two grid rows: only pixels near a mask edge are visited.
            int side = side(min, max, threshold);
            if (side != 0) {
                append(side > 0, height);
                continue;
            }
            for (int k = 0; k < segmentCount; k++) {
                int y0 = segmentStart[k];
                int y1 = segmentStart[k + 1];
                float a = column[rowLo[y0]];
                float b = column[rowHi[y0]];
                side = side(Math.min(a, b), Math.max(a, b), threshold);
                if (side != 0) {
                    append(side > 0, y1 - y0);
                    continue;
                }
                for (int y = y0; y < y1; y++) {
                    append(rowWeightLo[y] * a + rowWeightHi[y] * b > threshold, 1);
                }
            }
        }
        if (on) {
            area += run;
        }
        push(run);
        if (area == 0) {
            return null;
        }
        int[] counts = Arrays.copyOf(runs, runCount);
        return new EncodedMask(new Rle(height, width, CocoRle.compress(counts, runCount)), area, counts);
    }

    /** +1 when every blend of values in [min, max] is above the threshold, -1 when all are at or below it, 0 when unsure. */
    private static int side(float min, float max, double threshold) {
        double margin = ROUNDING * (Math.abs(threshold) + Math.max(Math.abs(min), Math.abs(max)));
        if (min > threshold + margin) {
            return 1;
        }
        return max < threshold - margin ? -1 : 0;
    }

    /** Adds {@code length} pixels of one value to the column-major runs. */
    private void append(boolean pixel, int length) {
        if (pixel != on) {
            if (on) {
                area += run;
            }
            push(run);
            run = 0;
            on = pixel;
        }
        run += length;
    }

    private void push(int value) {
        if (runCount == runs.length) {
            runs = Arrays.copyOf(runs, runs.length * 2);
        }
        runs[runCount++] = value;
    }
}

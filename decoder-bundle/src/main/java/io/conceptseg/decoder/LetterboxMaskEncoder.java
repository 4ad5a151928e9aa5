package io.conceptseg.decoder;

import io.conceptseg.api.Rle;
import io.conceptseg.api.stage.Letterbox;
import io.conceptseg.commons.rle.CocoRle;
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
 * kept, both reused across queries. Not thread-safe: one instance per decode call.
 */
final class LetterboxMaskEncoder {
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
    private final float[] column;
    private int[] runs = new int[64];

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

    /** An encoded mask and its pixel count. */
    record EncodedMask(Rle rle, long area) { }

    /**
     * Upsamples and encodes one grid.
     *
     * @param logits holds the grid row-major at {@code offset}
     * @param threshold a pixel is on when its logit is above this
     * @return the mask, or null when no pixel is on
     */
    EncodedMask encode(float[] logits, int offset, double threshold) {
        int n = 0;
        int run = 0;
        boolean on = false;
        long area = 0;
        for (int x = 0; x < width; x++) {
            int lo = offset + colLo[x];
            int hi = offset + colHi[x];
            float wl = colWeightLo[x];
            float wh = colWeightHi[x];
            for (int gy = 0, g = 0; gy < rowsUsed; gy++, g += gridWidth) {
                column[gy] = wl * logits[lo + g] + wh * logits[hi + g];
            }
            for (int y = 0; y < height; y++) {
                float v = rowWeightLo[y] * column[rowLo[y]] + rowWeightHi[y] * column[rowHi[y]];
                boolean pixel = v > threshold;
                if (pixel != on) {
                    if (on) {
                        area += run;
                    }
                    n = push(n, run);
                    run = 0;
                    on = pixel;
                }
                run++;
            }
        }
        if (on) {
            area += run;
        }
        n = push(n, run);
        if (area == 0) {
            return null;
        }
        return new EncodedMask(new Rle(height, width, CocoRle.compress(runs, n)), area);
    }

    private int push(int n, int run) {
        if (n == runs.length) {
            runs = Arrays.copyOf(runs, runs.length * 2);
        }
        runs[n] = run;
        return n + 1;
    }
}

package io.conceptseg.pipeline.eval;

import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.Rle;
import io.conceptseg.commons.rle.RunMask;
import java.util.List;
import java.util.Map;

/** Reads the "segmentation" and "bbox" fields shared by annotations and predictions. */
final class MaskJson {
    private MaskJson() {
    }

    /**
     * A COCO RLE segmentation: {"size": [h, w], "counts": "compressed"} or with the integer-list counts
     * of uncompressed RLE. Polygons are refused: the SA-Co layout stores RLE.
     *
     * @throws InvalidInputException naming {@code where}
     */
    static RunMask segmentation(String where, Object value) {
        if (value == null) {
            throw new InvalidInputException(where, "has no segmentation");
        }
        if (value instanceof List) {
            throw new InvalidInputException(where, "segmentation is a polygon list; the SA-Co layout needs COCO RLE {\"size\": [h, w], \"counts\": ...}");
        }
        if (!(value instanceof Map<?, ?> seg)) {
            throw new InvalidInputException(where, "segmentation must be a COCO RLE object {\"size\": [h, w], \"counts\": ...}");
        }
        if (!(seg.get("size") instanceof List<?> size) || size.size() != 2
                || !(size.get(0) instanceof Long h) || !(size.get(1) instanceof Long w)
                || h < 0 || w < 0 || h > Integer.MAX_VALUE || w > Integer.MAX_VALUE || h * w > Integer.MAX_VALUE) {
            throw new InvalidInputException(where, "segmentation.size must be [height, width], two whole numbers >= 0");
        }
        Object counts = seg.get("counts");
        if (counts instanceof String s) {
            return RunMask.of(where, new Rle(h.intValue(), w.intValue(), s));
        }
        if (counts instanceof List<?> list) {
            int[] c = new int[list.size()];
            for (int i = 0; i < c.length; i++) {
                if (!(list.get(i) instanceof Long n) || n < 0 || n > Integer.MAX_VALUE) {
                    throw new InvalidInputException(where, "malformed RLE: counts[" + i + "] is not a whole number >= 0");
                }
                c[i] = n.intValue();
            }
            return RunMask.fromCounts(where, h.intValue(), w.intValue(), c);
        }
        throw new InvalidInputException(where, "segmentation.counts must be a compressed RLE string or a list of run lengths");
    }

    /** The [x, y, w, h] box, or the mask's tight box when the entry has none. */
    static double[] bbox(String where, Object value, RunMask mask) {
        if (value == null) {
            return mask.bbox();
        }
        if (!(value instanceof List<?> l) || l.size() != 4) {
            throw new InvalidInputException(where, "bbox must be [x, y, width, height]");
        }
        double[] b = new double[4];
        for (int i = 0; i < 4; i++) {
            if (!(l.get(i) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                throw new InvalidInputException(where, "bbox must be [x, y, width, height], four finite numbers");
            }
            b[i] = n.doubleValue();
        }
        return b;
    }

    /** Checks a mask has the image's size. */
    static void checkSize(String where, RunMask mask, int height, int width) {
        if (mask.height != height || mask.width != width) {
            throw new InvalidInputException(where, "segmentation size [" + mask.height + ", " + mask.width
                    + "] differs from the image's [" + height + ", " + width + "] (height, width)");
        }
    }
}

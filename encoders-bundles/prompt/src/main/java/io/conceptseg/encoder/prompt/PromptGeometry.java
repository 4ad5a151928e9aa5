package io.conceptseg.encoder.prompt;

import io.conceptseg.api.BoxPrompt;
import io.conceptseg.api.ConceptPrompt;
import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.PointPrompt;
import io.conceptseg.api.stage.Letterbox;

/**
 * One prompt's boxes and points as geometry stage entries (docs/model-package.md): normalised
 * cx, cy, w, h of the S x S letterboxed frame (a point is a box with w = h = 0) and a label each
 * (0 negative box, 1 positive box, 2 negative point, 3 positive point). Boxes come first, in
 * prompt order, then points; the stage's tokens do not depend on that order.
 *
 * <p>Coordinates are continuous original pixels, as in COCO: a box spans [x, x + w), the image
 * [0, width] x [0, height]; a point (x, y) maps like a box corner, without a half-pixel shift
 * (as SAM does). A box is clipped to the image; a box or a point entirely outside it is refused.
 *
 * @param boxes {@code count * 4} floats, cx, cy, w, h per entry
 * @param labels one label per entry
 */
record PromptGeometry(float[] boxes, long[] labels) {
    static final long NEGATIVE_BOX = 0;
    static final long POSITIVE_BOX = 1;
    static final long NEGATIVE_POINT = 2;
    static final long POSITIVE_POINT = 3;
    static final long PADDING = -1;

    /** The number of entries. */
    int count() { return labels.length; }

    /**
     * Converts a prompt's boxes and points.
     *
     * @throws InvalidInputException naming the box or point and the prompt when it lies outside the image
     */
    static PromptGeometry of(ConceptPrompt prompt, Letterbox letterbox) {
        int n = prompt.boxes().size() + prompt.points().size();
        float[] boxes = new float[n * 4];
        long[] labels = new long[n];
        int i = 0;
        for (BoxPrompt b : prompt.boxes()) {
            double x0 = Math.max(0, b.x());
            double y0 = Math.max(0, b.y());
            double x1 = Math.min(letterbox.width(), b.x() + b.width());
            double y1 = Math.min(letterbox.height(), b.y() + b.height());
            if (x1 <= x0 || y1 <= y0) {
                throw new InvalidInputException("box [" + b.x() + ", " + b.y() + ", " + b.width() + ", " + b.height()
                        + "] of prompt " + prompt.label(), "lies entirely outside the " + letterbox.width() + "x"
                        + letterbox.height() + " image");
            }
            boxes[i * 4] = (float) letterbox.toModelX((x0 + x1) / 2);
            boxes[i * 4 + 1] = (float) letterbox.toModelY((y0 + y1) / 2);
            boxes[i * 4 + 2] = (float) letterbox.toModelX(x1 - x0);
            boxes[i * 4 + 3] = (float) letterbox.toModelY(y1 - y0);
            labels[i++] = b.positive() ? POSITIVE_BOX : NEGATIVE_BOX;
        }
        for (PointPrompt p : prompt.points()) {
            if (p.x() < 0 || p.y() < 0 || p.x() > letterbox.width() || p.y() > letterbox.height()) {
                throw new InvalidInputException("point [" + p.x() + ", " + p.y() + "] of prompt " + prompt.label(),
                        "lies outside the " + letterbox.width() + "x" + letterbox.height() + " image");
            }
            boxes[i * 4] = (float) letterbox.toModelX(p.x());
            boxes[i * 4 + 1] = (float) letterbox.toModelY(p.y());
            labels[i++] = p.positive() ? POSITIVE_POINT : NEGATIVE_POINT;
        }
        return new PromptGeometry(boxes, labels);
    }
}

package io.conceptseg.api;

/** An axis-aligned box in original-image pixels, COCO order [x, y, width, height].
 *
 * @param x left, @param y top, @param width width, @param height height */
public record BoundingBox(double x, double y, double width, double height) {
    /** The box as COCO's [x, y, w, h] array. */
    public double[] toArray() { return new double[] {x, y, width, height}; }
}

package io.conceptseg.api.stage;

/**
 * How an image was fitted into the model's S x S input: scaled by {@code scale} and placed at the
 * top-left corner. Converts between original pixels and normalised model coordinates.
 *
 * @param width original width
 * @param height original height
 * @param side model input side S
 * @param scale S / max(width, height)
 */
public record Letterbox(int width, int height, int side, double scale) {
    /** The letterbox of an image of that size for a model side. */
    public static Letterbox of(int width, int height, int side) {
        return new Letterbox(width, height, side, side / (double) Math.max(width, height));
    }

    /** Original pixel x to normalised model x in [0,1]. */
    public double toModelX(double x) { return x * scale / side; }

    /** Original pixel y to normalised model y in [0,1]. */
    public double toModelY(double y) { return y * scale / side; }

    /** Normalised model x to original pixel x. */
    public double toOriginalX(double nx) { return nx * side / scale; }

    /** Normalised model y to original pixel y. */
    public double toOriginalY(double ny) { return ny * side / scale; }
}

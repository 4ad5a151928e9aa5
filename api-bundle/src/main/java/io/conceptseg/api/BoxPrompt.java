package io.conceptseg.api;

/**
 * A box prompt in original-image pixels. A positive box is an exemplar of the concept (or, alone,
 * selects one object); a negative box shows what the concept is not.
 *
 * @param x left, @param y top, @param width width, @param height height, @param positive exemplar sign
 */
public record BoxPrompt(double x, double y, double width, double height, boolean positive) {
    /** Checks the box is finite with a positive size. */
    public BoxPrompt {
        if (!(Double.isFinite(x) && Double.isFinite(y) && width > 0 && height > 0
                && Double.isFinite(width) && Double.isFinite(height))) {
            throw new InvalidInputException("box [" + x + "," + y + "," + width + "," + height + "]",
                    "a box needs finite coordinates and a positive width and height");
        }
    }
}

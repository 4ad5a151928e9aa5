package io.conceptseg.api;

/** A point prompt in original-image pixels; positive points lie on the object, negative ones off it.
 *
 * @param x column, @param y row, @param positive sign */
public record PointPrompt(double x, double y, boolean positive) {
    /** Checks the point is finite. */
    public PointPrompt {
        if (!(Double.isFinite(x) && Double.isFinite(y))) {
            throw new InvalidInputException("point [" + x + "," + y + "]", "a point needs finite coordinates");
        }
    }
}

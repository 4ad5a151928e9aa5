package io.conceptseg.api;

/**
 * One instance of a concept found in an image.
 *
 * @param label the prompt's label (its phrase)
 * @param score final score, p(match) x p(present), in [0,1]
 * @param box the box head's prediction in original pixels, clipped to the image
 * @param mask the instance mask at the original image size
 * @param area number of mask pixels
 */
public record Detection(String label, double score, BoundingBox box, Rle mask, long area) {
}

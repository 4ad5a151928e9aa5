package io.conceptseg.api;

/**
 * A binary mask as a COCO run-length encoding in the compressed string form pycocotools writes
 * (column-major runs, starting with a run of zeros).
 *
 * @param height mask height in pixels
 * @param width mask width in pixels
 * @param counts the compressed counts string
 */
public record Rle(int height, int width, String counts) {
    /** Checks sizes and that counts is present. */
    public Rle {
        if (height < 0 || width < 0 || counts == null) {
            throw new IllegalArgumentException("RLE needs a size and counts");
        }
    }
}

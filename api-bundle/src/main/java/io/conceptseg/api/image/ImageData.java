package io.conceptseg.api.image;

import io.conceptseg.api.InvalidInputException;

/**
 * A decoded 8-bit RGB image, row-major, three bytes per pixel. Immutable by convention: the
 * pipeline never writes into {@link #rgb()}.
 */
public final class ImageData {
    /** The largest side the platform accepts; larger images are refused before full decoding. */
    public static final int MAX_SIDE = 8192;

    private final String name;
    private final int width;
    private final int height;
    private final byte[] rgb;

    /**
     * @param name the image's name for messages and outputs
     * @param width width in pixels (1..MAX_SIDE)
     * @param height height in pixels (1..MAX_SIDE)
     * @param rgb width*height*3 bytes, row-major RGB
     */
    public ImageData(String name, int width, int height, byte[] rgb) {
        checkSize(name, width, height);
        if (rgb == null || rgb.length != (long) width * height * 3) {
            throw new InvalidInputException(name, "pixel buffer does not hold " + width + "x" + height + " RGB pixels");
        }
        this.name = name;
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    /** Refuses zero-size images and images over {@link #MAX_SIDE} on a side, naming the image. */
    public static void checkSize(String name, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new InvalidInputException(name, "image has zero size (" + width + "x" + height + ")");
        }
        if (width > MAX_SIDE || height > MAX_SIDE) {
            throw new InvalidInputException(name, "image is " + width + "x" + height
                    + " pixels; the largest side accepted is " + MAX_SIDE);
        }
    }

    /** The image's name. */
    public String name() { return name; }

    /** Width in pixels. */
    public int width() { return width; }

    /** Height in pixels. */
    public int height() { return height; }

    /** The RGB bytes, row-major; do not modify. */
    public byte[] rgb() { return rgb; }
}

package io.conceptseg.api.image;

import java.nio.file.Path;

/**
 * Decodes PNG and JPEG (8-bit gray, RGB, RGBA) into {@link ImageData}. Refuses, with an
 * {@link io.conceptseg.api.InvalidInputException} naming the input, missing files, non-images,
 * truncated files, zero-size images and images over {@link ImageData#MAX_SIDE} (checked from the
 * header, before the pixels are decoded).
 */
public interface ImageDecoder {
    /** Decodes a file. */
    ImageData decode(Path file);

    /** Decodes bytes; {@code name} is used in messages. */
    ImageData decode(String name, byte[] bytes);
}

package io.conceptseg.encoder.vision;

import io.conceptseg.api.InvalidInputException;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Turns a decoded image into row-major RGB bytes the way PIL's {@code convert("RGB")} does, from
 * the raw samples: {@link BufferedImage#getRGB} would convert linear gray to sRGB (changing every
 * gray level) and apply ICC profiles, which PIL does not.
 */
final class RgbPixels {
    private RgbPixels() { }

    /** The image's pixels as RGB bytes; alpha is dropped. */
    static byte[] of(String name, BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm instanceof IndexColorModel icm) {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                int o = y * w * 3;
                for (int x = 0; x < w; x++) {
                    int i = row[x];
                    rgb[o++] = (byte) icm.getRed(i);
                    rgb[o++] = (byte) icm.getGreen(i);
                    rgb[o++] = (byte) icm.getBlue(i);
                }
            }
            return rgb;
        }
        if (cm instanceof ComponentColorModel && (cm.getNumColorComponents() == 1 || cm.getNumColorComponents() == 3)) {
            int colours = cm.getNumColorComponents();
            int[][] bands = new int[colours][w];
            for (int y = 0; y < h; y++) {
                // colour bands come first; an alpha band, if any, is last and never read
                for (int c = 0; c < colours; c++) {
                    raster.getSamples(0, y, w, 1, c, bands[c]);
                    to8Bit(bands[c], raster.getSampleModel().getSampleSize(c));
                }
                int[] r = bands[0];
                int[] g = colours == 1 ? bands[0] : bands[1];
                int[] b = colours == 1 ? bands[0] : bands[2];
                int o = y * w * 3;
                for (int x = 0; x < w; x++) {
                    rgb[o++] = (byte) r[x];
                    rgb[o++] = (byte) g[x];
                    rgb[o++] = (byte) b[x];
                }
            }
            return rgb;
        }
        if (cm.getNumColorComponents() != 3 && cm.getNumColorComponents() != 1) {
            throw new InvalidInputException(name, "unsupported colour type (" + cm.getNumColorComponents()
                    + " colour components); use gray, RGB, RGBA or palette images");
        }
        // packed layouts (not produced by the PNG/JPEG readers for files, kept for completeness)
        for (int y = 0; y < h; y++) {
            int o = y * w * 3;
            for (int x = 0; x < w; x++) {
                int p = image.getRGB(x, y);
                rgb[o++] = (byte) (p >> 16);
                rgb[o++] = (byte) (p >> 8);
                rgb[o++] = (byte) p;
            }
        }
        return rgb;
    }

    /** Scales samples of {@code bits} bits to 0..255: high byte for wider samples, PNG's scaling for narrower ones. */
    private static void to8Bit(int[] samples, int bits) {
        if (bits == 8) {
            return;
        }
        if (bits > 8) {
            int shift = bits - 8;
            for (int i = 0; i < samples.length; i++) {
                samples[i] >>>= shift;
            }
            return;
        }
        int max = (1 << bits) - 1;
        for (int i = 0; i < samples.length; i++) {
            samples[i] = samples[i] * 255 / max;
        }
    }
}

package io.conceptseg.encoder.vision;

import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.image.ImageData;
import java.util.List;

/**
 * Builds the vision stage's input from an image (docs/model-package.md): the image is resized by
 * {@code S / max(w, h)} with PIL's bilinear filter, scaled to [0,1], normalised per channel and
 * placed at the top-left of an S x S frame whose remainder is 0 (after normalisation).
 *
 * <p>The resized size is {@code int(w * S / max(w, h) + 0.5)} (and the same for h), at least 1,
 * so the longer side is exactly S. Training code that letterboxes must use the same formula.
 */
final class LetterboxTensor {
    private LetterboxTensor() { }

    /** The length of a side of {@code length} pixels after fitting the longest side {@code longest} to {@code side}. */
    static int resizedLength(int length, int longest, int side) {
        return Math.max(1, Math.min(side, (int) ((double) length * side / longest + 0.5)));
    }

    /** The letterboxed, normalised image as f32[1, 3, S, S]. */
    static Tensor of(ImageData image, int side, List<Double> mean, List<Double> std) {
        int w = image.width();
        int h = image.height();
        int longest = Math.max(w, h);
        int rw = resizedLength(w, longest, side);
        int rh = resizedLength(h, longest, side);
        byte[] rgb = PilBilinear.resize(image.rgb(), w, h, rw, rh);
        float[] data = new float[3 * side * side];
        int plane = side * side;
        for (int c = 0; c < 3; c++) {
            // float arithmetic, in the order numpy/torch do it on float32 arrays
            float m = mean.get(c).floatValue();
            float s = std.get(c).floatValue();
            for (int y = 0; y < rh; y++) {
                int in = y * rw * 3 + c;
                int out = c * plane + y * side;
                for (int x = 0; x < rw; x++) {
                    data[out + x] = ((rgb[in + x * 3] & 0xff) / 255f - m) / s;
                }
            }
        }
        return Tensor.ofFloats(data, 1, 3, side, side);
    }
}

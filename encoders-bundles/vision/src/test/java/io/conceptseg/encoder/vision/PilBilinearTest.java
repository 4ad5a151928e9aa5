package io.conceptseg.encoder.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.image.ImageData;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The resize must give PIL's pixels: fixtures from src/test/python/make_pil_fixtures.py (Pillow 9.4). */
class PilBilinearTest {
    private final ImageIoDecoder decoder = new ImageIoDecoder();

    @ParameterizedTest(name = "61x37 -> {0}x{1}")
    @CsvSource({"23,14", "150,91", "32,19", "40,50", "1,1", "7,100"})
    void matchesPillowBilinear(int w, int h) throws IOException {
        ImageData source = decoder.decode("source", ImageIoDecoderTest.resource("source.png"));
        ImageData expected = decoder.decode("pil", ImageIoDecoderTest.resource("resize_" + w + "x" + h + ".png"));
        byte[] ours = PilBilinear.resize(source.rgb(), source.width(), source.height(), w, h);
        int diff = ImageIoDecoderTest.maxDifference(expected.rgb(), ours);
        assertTrue(diff <= 1, w + "x" + h + ": max difference to PIL is " + diff + " levels");
        System.out.println("resize 61x37 -> " + w + "x" + h + ": max difference to PIL " + diff);
    }

    @Test
    void downscalingAntialiases() {
        // a 1-pixel checkerboard halved: a point sampler would give 0 or 255, the triangle filter gray
        int n = 8;
        byte[] rgb = new byte[n * n * 3];
        for (int i = 0; i < n * n; i++) {
            byte v = (byte) (((i % n) + (i / n)) % 2 == 0 ? 255 : 0);
            rgb[i * 3] = v;
            rgb[i * 3 + 1] = v;
            rgb[i * 3 + 2] = v;
        }
        byte[] half = PilBilinear.resize(rgb, n, n, n / 2, n / 2);
        for (byte b : half) {
            int v = b & 0xff;
            assertTrue(v > 64 && v < 192, "antialiased level " + v);
        }
    }

    @Test
    void sameSizeIsACopy() {
        byte[] rgb = {1, 2, 3, 4, 5, 6};
        byte[] out = PilBilinear.resize(rgb, 2, 1, 2, 1);
        assertArrayEquals(rgb, out);
        out[0] = 9;
        assertEquals(1, rgb[0]);
    }
}

package io.conceptseg.encoder.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.image.ImageData;
import io.conceptseg.api.stage.ImageEmbedding;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LetterboxVisionEncoderTest {
    private static final List<Double> MEAN = List.of(0.485, 0.456, 0.406);
    private static final List<Double> STD = List.of(0.229, 0.224, 0.225);
    private static final Tensor FEATURES = Tensor.ofFloats(new float[16], 1, 4, 2, 2);

    private final LetterboxVisionEncoder encoder = new LetterboxVisionEncoder();

    @Test
    void letterboxesTopLeftNormalisesAndRunsTheStage() throws IOException {
        FakeSession session = new FakeSession(64, MEAN, STD, in -> Map.of("fpn_feat_0", FEATURES));
        ImageData image = new ImageIoDecoder().decode("source.png", ImageIoDecoderTest.resource("source.png"));

        ImageEmbedding e = encoder.encode(session, image);

        assertEquals("source.png", e.imageName());
        assertEquals(61, e.letterbox().width());
        assertEquals(37, e.letterbox().height());
        assertEquals(64.0 / 61, e.letterbox().scale(), 1e-12);
        assertSame(FEATURES, e.features().get("fpn_feat_0"));
        assertEquals(1, session.calls.size());
        Tensor t = session.calls.get(0).get("images");
        assertArrayEquals(new long[] {1, 3, 64, 64}, t.shape());

        // 61x37 -> 64 x int(37*64/61 + 0.5) = 64x39, at the top-left; below row 39 all zero
        byte[] resized = PilBilinear.resize(image.rgb(), 61, 37, 64, 39);
        float[] x = t.floats();
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 64; y++) {
                for (int col = 0; col < 64; col++) {
                    float v = x[(c * 64 + y) * 64 + col];
                    if (y < 39) {
                        float expected = (float) (((resized[(y * 64 + col) * 3 + c] & 0xff) / 255.0 - MEAN.get(c)) / STD.get(c));
                        assertEquals(expected, v, 1e-5, "c" + c + " y" + y + " x" + col);
                    } else {
                        assertEquals(0f, v, "padding c" + c + " y" + y + " x" + col);
                    }
                }
            }
        }
    }

    @Test
    void tallImagePadsOnTheRight() {
        byte[] white = new byte[10 * 40 * 3];
        java.util.Arrays.fill(white, (byte) 255);
        FakeSession session = new FakeSession(16, MEAN, STD, in -> Map.of("fpn_feat_0", FEATURES));
        encoder.encode(session, new ImageData("tall", 10, 40, white));
        float[] x = session.calls.get(0).get("images").floats();
        // 10x40 -> 4x16: columns 0..3 white, 4.. padding
        float whiteRed = (float) ((1.0 - MEAN.get(0)) / STD.get(0));
        for (int y = 0; y < 16; y++) {
            for (int col = 0; col < 16; col++) {
                assertEquals(col < 4 ? whiteRed : 0f, x[y * 16 + col], 1e-5, "y" + y + " x" + col);
            }
        }
    }

    @Test
    void resizedLengthRoundsHalfUpAndKeepsOnePixel() {
        assertEquals(39, LetterboxTensor.resizedLength(37, 61, 64));   // 38.82
        assertEquals(19, LetterboxTensor.resizedLength(37, 61, 32));   // 19.41
        assertEquals(3, LetterboxTensor.resizedLength(5, 8, 4));       // 2.5 -> 3 (not banker's 2)
        assertEquals(1, LetterboxTensor.resizedLength(1, 8000, 128));  // 0.016 -> at least 1
        assertEquals(128, LetterboxTensor.resizedLength(8000, 8000, 128));
    }

    @Test
    void missingOutputIsReportedWithTheStageAndBackend() {
        FakeSession session = new FakeSession(16, MEAN, STD, in -> Map.of());
        ConceptSegException e = assertThrows(ConceptSegException.class,
                () -> encoder.encode(session, new ImageData("img", 2, 2, new byte[12])));
        assertTrue(e.getMessage().contains("vision") && e.getMessage().contains("fpn_feat_0"), e.getMessage());
    }
}

package io.conceptseg.encoder.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.image.ImageData;
import io.conceptseg.api.stage.ImageEmbedding;
import io.conceptseg.backend.onnx.testing.OnnxSession;
import io.conceptseg.commons.testing.TestPackages;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Decodes a repository sample and runs the tiny package's real vision stage on ONNX Runtime. */
class OnnxVisionTest {
    @Test
    void encodesASampleImageOnOnnxRuntime() {
        try (OnnxSession session = new OnnxSession()) {
            assumeTrue(session.available(), "ONNX Runtime does not load here");
            Path sample = TestPackages.repositoryRoot().resolve("samples/parts-on-belt.png");
            ImageData image = new ImageIoDecoder().decode(sample);
            ImageEmbedding e = new LetterboxVisionEncoder().encode(session, image);

            assertEquals(128.0 / Math.max(image.width(), image.height()), e.letterbox().scale(), 1e-12);
            long[][] shapes = {{1, 32, 32, 32}, {1, 32, 16, 16}, {1, 32, 8, 8}};
            for (int level = 0; level < 3; level++) {
                for (String kind : new String[] {"fpn_feat_", "fpn_pos_"}) {
                    Tensor t = e.features().get(kind + level);
                    assertArrayEquals(shapes[level], t.shape(), kind + level);
                    for (float v : t.floats()) {
                        assertTrue(Float.isFinite(v), kind + level + " has a non-finite value");
                    }
                }
            }
            // deterministic: the same image gives the same features
            ImageEmbedding again = new LetterboxVisionEncoder().encode(session, image);
            assertArrayEquals(e.features().get("fpn_feat_2").floats(), again.features().get("fpn_feat_2").floats());
        }
    }
}

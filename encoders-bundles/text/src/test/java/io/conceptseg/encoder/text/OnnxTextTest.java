package io.conceptseg.encoder.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.conceptseg.api.stage.TextEmbedding;
import io.conceptseg.backend.onnx.testing.OnnxSession;
import io.conceptseg.commons.safetensors.SafeTensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tokenises the fixture phrases and runs the real text stage on ONNX Runtime: the fixture's outputs within tolerance. */
class OnnxTextTest {
    @Test
    void reproducesTheTextFixtureOnOnnxRuntime() {
        try (OnnxSession session = new OnnxSession()) {
            assumeTrue(session.available(), "ONNX Runtime does not load here");
            SafeTensors fixture = SafeTensors.open(session.model().file("fixtures/text.safetensors"));
            double tolerance = session.model().descriptor().tolerance().get("onnx");
            CachingTextEncoder encoder = new CachingTextEncoder();

            // in reverse and with a repeat: rows come back in request order, "scratch mark" runs once
            TextEmbedding e = encoder.encode(session, List.of("scratch mark", "brass washers", "scratch mark"));

            float[] expected = fixture.tensor("output.text_features").floats();
            int per = 16 * 32;
            float[] got = e.features().floats();
            for (int i = 0; i < per; i++) {
                assertEquals(expected[per + i], got[i], tolerance, "scratch mark, element " + i);
                assertEquals(expected[i], got[per + i], tolerance, "brass washers, element " + i);
                assertEquals(got[i], got[2 * per + i], "the repeat");
            }
            assertArrayEquals(fixture.tensor("output.text_mask").batchFloats(1), e.mask().batchFloats(0));
            assertEquals(2, encoder.cache().size());
        }
    }
}

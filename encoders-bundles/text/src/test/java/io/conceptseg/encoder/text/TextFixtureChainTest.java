package io.conceptseg.encoder.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.stage.TextEmbedding;
import io.conceptseg.commons.safetensors.SafeTensors;
import io.conceptseg.commons.testing.TestPackages;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The tiny package's text fixture was made from the phrases "brass washers" and "scratch mark"
 * (training/conceptseg_train/export.py): the encoder must send exactly its input ids and mask,
 * and hand back the stage's outputs unchanged, row by row.
 */
class TextFixtureChainTest {
    @Test
    void sendsTheFixtureInputsAndReturnsItsOutputs() {
        ModelPackage model = TestPackages.inspectionTiny();
        SafeTensors fixture = SafeTensors.open(model.file(model.descriptor().stage("text").file("fixture")));
        Tensor ids = fixture.tensor("input.input_ids");
        Tensor mask = fixture.tensor("input.attention_mask");
        CountingSession session = new CountingSession(model, "fixture", in -> {
            assertArrayEquals(ids.shape(), in.get("input_ids").shape());
            assertArrayEquals(ids.longs(), in.get("input_ids").longs(), "input_ids");
            assertArrayEquals(mask.longs(), in.get("attention_mask").longs(), "attention_mask");
            return Map.of("text_features", fixture.tensor("output.text_features"),
                    "text_mask", fixture.tensor("output.text_mask"));
        });

        TextEmbedding e = new CachingTextEncoder().encode(session, List.of("brass washers", "scratch mark"));

        assertEquals(1, session.runs());
        assertArrayEquals(new long[] {2, 16, 32}, e.features().shape());
        assertArrayEquals(fixture.tensor("output.text_features").floats(), e.features().floats());
        assertArrayEquals(fixture.tensor("output.text_mask").floats(), e.mask().floats());
    }
}

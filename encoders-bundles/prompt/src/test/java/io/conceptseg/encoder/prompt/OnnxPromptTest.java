package io.conceptseg.encoder.prompt;

import static io.conceptseg.encoder.prompt.FixturePrompts.box;
import static io.conceptseg.encoder.prompt.FixturePrompts.sum;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.conceptseg.api.ConceptPrompt;
import io.conceptseg.api.PointPrompt;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.stage.ImageEmbedding;
import io.conceptseg.api.stage.Letterbox;
import io.conceptseg.api.stage.PromptEmbedding;
import io.conceptseg.api.stage.TextEmbedding;
import io.conceptseg.backend.onnx.testing.OnnxSession;
import io.conceptseg.commons.safetensors.SafeTensors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs the real geometry stage on ONNX Runtime for the fixture's prompts, one image at a time
 * (the fixture's two prompts are on two images), and compares the prompt tokens with the fusion
 * fixture's prompt_features within the package's ONNX tolerance.
 */
class OnnxPromptTest {
    @Test
    void reproducesTheFusionFixturesPromptTokensOnOnnxRuntime() {
        try (OnnxSession session = new OnnxSession()) {
            assumeTrue(session.available(), "ONNX Runtime does not load here");
            SafeTensors vision = SafeTensors.open(session.model().file("fixtures/vision.safetensors"));
            SafeTensors text = SafeTensors.open(session.model().file("fixtures/text.safetensors"));
            SafeTensors fusion = SafeTensors.open(session.model().file("fixtures/fusion.safetensors"));
            double tolerance = session.model().descriptor().tolerance().get("onnx");
            Tensor expected = fusion.tensor("input.prompt_features");
            int p = (int) expected.dim(1);
            int d = (int) expected.dim(2);

            ConceptPrompt p0 = new ConceptPrompt("brass washers",
                    List.of(box(0.40, 0.45, 0.30, 0.25, true), box(0.20, 0.80, 0.15, 0.20, false)),
                    List.of(new PointPrompt(0.70 * 128, 0.30 * 128, true)));
            ConceptPrompt p1 = new ConceptPrompt("scratch mark", List.of(), List.of(new PointPrompt(0.55 * 128, 0.25 * 128, false)));
            GeometryPromptEncoder encoder = new GeometryPromptEncoder();
            PromptEmbedding e0 = encoder.encode(session, image(vision, 0), List.of(p0), textRow(text, 0, "brass washers"));
            PromptEmbedding e1 = encoder.encode(session, image(vision, 1), List.of(p1), textRow(text, 1, "scratch mark"));

            int t0 = (int) sum(text.tensor("output.text_mask").batchFloats(0));
            // ours: text, box+, box-, point+; the fixture: text, box+, point+, box-
            int[] order0 = new int[t0 + 3];
            for (int t = 0; t < t0; t++) {
                order0[t] = t;
            }
            order0[t0] = t0;
            order0[t0 + 1] = t0 + 2;
            order0[t0 + 2] = t0 + 1;
            compare(expected, 0, p, d, e0, order0, tolerance);
            int t1 = (int) sum(text.tensor("output.text_mask").batchFloats(1));
            int[] order1 = new int[t1 + 1];
            for (int t = 0; t <= t1; t++) {
                order1[t] = t;
            }
            compare(expected, 1, p, d, e1, order1, tolerance);
        }
    }

    private static void compare(Tensor expected, int b, int p, int d, PromptEmbedding got, int[] order, double tolerance) {
        assertArrayEquals(new long[] {1, order.length, d}, got.features().shape());
        for (int t = 0; t < order.length; t++) {
            for (int k = 0; k < d; k++) {
                assertEquals(expected.floats()[(b * p + order[t]) * d + k], got.features().floats()[t * d + k], tolerance,
                        "prompt " + b + " token " + t + " feature " + k);
            }
        }
    }

    private static ImageEmbedding image(SafeTensors vision, int b) {
        Tensor f = vision.tensor("output.fpn_feat_1");
        return new ImageEmbedding("fixture image " + b, Letterbox.of(128, 128, 128),
                Map.of("fpn_feat_1", Tensor.ofFloats(f.batchFloats(b), 1, 32, 16, 16)));
    }

    private static TextEmbedding textRow(SafeTensors text, int b, String phrase) {
        return new TextEmbedding(List.of(phrase), Tensor.ofFloats(text.tensor("output.text_features").batchFloats(b), 1, 16, 32),
                Tensor.ofFloats(text.tensor("output.text_mask").batchFloats(b), 1, 16));
    }
}

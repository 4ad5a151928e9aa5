package io.conceptseg.encoder.prompt;

import static io.conceptseg.encoder.prompt.FixturePrompts.box;
import static io.conceptseg.encoder.prompt.FixturePrompts.sum;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ConceptPrompt;
import io.conceptseg.api.PointPrompt;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.stage.ImageEmbedding;
import io.conceptseg.api.stage.Letterbox;
import io.conceptseg.api.stage.PromptEmbedding;
import io.conceptseg.api.stage.TextEmbedding;
import io.conceptseg.commons.safetensors.SafeTensors;
import io.conceptseg.commons.testing.TestPackages;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Rebuilds the fusion fixture's prompt_features of the tiny package from its text and geometry
 * fixtures, through this encoder: prompt 0 = "brass washers" + positive box, positive point,
 * negative box; prompt 1 = "scratch mark" + negative point (training/conceptseg_train/export.py).
 * The geometry stage is replayed: each entry sent gets the fixture's output row of the entry with
 * the same box and label.
 */
class PromptFixtureChainTest {
    private static final float EPS = 1e-5f;

    private static SafeTensors fixture(ModelPackage model, String stage) {
        return SafeTensors.open(model.file(model.descriptor().stage(stage).file("fixture")));
    }

    @Test
    void assemblesTheFusionFixturesPromptTokens() {
        ModelPackage model = TestPackages.inspectionTiny();
        SafeTensors text = fixture(model, "text");
        SafeTensors geometry = fixture(model, "geometry");
        SafeTensors fusion = fixture(model, "fusion");
        SafeTensors vision = fixture(model, "vision");
        Tensor fxBoxes = geometry.tensor("input.input_boxes");
        Tensor fxLabels = geometry.tensor("input.input_labels");
        Tensor fxFeatures = geometry.tensor("output.geometry_features");
        int n = (int) fxLabels.dim(1);
        int d = (int) fxFeatures.dim(2);

        FakeSession session = new FakeSession(model, in -> replay(in, fxBoxes, fxLabels, geometry));
        // a 128x128 image: scale 1, normalised = pixels / 128
        Tensor feat1 = vision.tensor("output.fpn_feat_1");
        ImageEmbedding image = new ImageEmbedding("fixture", Letterbox.of(128, 128, 128),
                Map.of("fpn_feat_1", Tensor.ofFloats(feat1.batchFloats(0), 1, 32, 16, 16)));
        ConceptPrompt p0 = new ConceptPrompt("brass washers",
                List.of(box(0.40, 0.45, 0.30, 0.25, true), box(0.20, 0.80, 0.15, 0.20, false)),
                List.of(new PointPrompt(0.70 * 128, 0.30 * 128, true)));
        ConceptPrompt p1 = new ConceptPrompt("scratch mark", List.of(), List.of(new PointPrompt(0.55 * 128, 0.25 * 128, false)));
        TextEmbedding textEmbedding = new TextEmbedding(List.of("brass washers", "scratch mark"),
                text.tensor("output.text_features"), text.tensor("output.text_mask"));

        PromptEmbedding e = new GeometryPromptEncoder().encode(session, image, List.of(p0, p1), textEmbedding);

        Map<String, Tensor> sent = session.runs.get(0);
        // boxes first, then points: prompt 0 sends fixture entries 0, 2, 1
        assertArrayEquals(new long[] {1, 0, 3, 2, -1, -1}, sent.get("input_labels").longs());
        assertArrayEquals(new long[] {2, n, 4}, sent.get("input_boxes").shape());
        assertArrayEquals(new long[] {2, 32, 16, 16}, sent.get("fpn_feat_1").shape());

        Tensor expected = fusion.tensor("input.prompt_features");
        Tensor expectedMask = fusion.tensor("input.prompt_mask");
        assertArrayEquals(expected.shape(), e.features().shape());
        assertArrayEquals(expectedMask.floats(), e.mask().floats());
        int p = (int) expected.dim(1);
        int textTokens0 = (int) sum(text.tensor("output.text_mask").batchFloats(0));
        int textTokens1 = (int) sum(text.tensor("output.text_mask").batchFloats(1));
        // expected row of each of our rows: text tokens in order; then prompt 0's geometry permuted (0, 2, 1)
        int[][] order = new int[2][p];
        for (int t = 0; t < p; t++) {
            order[0][t] = t;
            order[1][t] = t;
        }
        order[0][textTokens0 + 1] = textTokens0 + 2;
        order[0][textTokens0 + 2] = textTokens0 + 1;
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < p; t++) {
                int from = (b * p + order[b][t]) * d;
                float[] want = java.util.Arrays.copyOfRange(expected.floats(), from, from + d);
                float[] got = java.util.Arrays.copyOfRange(e.features().floats(), (b * p + t) * d, (b * p + t + 1) * d);
                assertArrayEquals(want, got, EPS, "prompt " + b + " token " + t);
            }
        }
        assertEquals(textTokens0 + 3, (int) sum(e.mask().batchFloats(0)));
        assertEquals(textTokens1 + 1, (int) sum(e.mask().batchFloats(1)));
        assertTrue(p >= textTokens0 + 3);
    }

    /** For each entry sent, the fixture's output row of the entry with the same label and box. */
    private static Map<String, Tensor> replay(Map<String, Tensor> in, Tensor fxBoxes, Tensor fxLabels, SafeTensors geometry) {
        Tensor features = geometry.tensor("output.geometry_features");
        Tensor mask = geometry.tensor("output.geometry_mask");
        int d = (int) features.dim(2);
        long[] labels = in.get("input_labels").longs();
        float[] boxes = in.get("input_boxes").floats();
        float[] f = new float[labels.length * d];
        float[] m = new float[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                continue;
            }
            int match = -1;
            for (int j = 0; j < fxLabels.size(); j++) {
                if (fxLabels.longs()[j] == labels[i] && close(boxes, i, fxBoxes.floats(), j)) {
                    match = j;
                }
            }
            if (match < 0) {
                throw new AssertionError("entry " + i + " (label " + labels[i] + ") matches no fixture entry");
            }
            System.arraycopy(features.floats(), match * d, f, i * d, d);
            m[i] = mask.floats()[match];
        }
        long[] shape = in.get("input_labels").shape();
        return Map.of("geometry_features", Tensor.ofFloats(f, shape[0], shape[1], d),
                "geometry_mask", Tensor.ofFloats(m, shape));
    }

    private static boolean close(float[] a, int i, float[] b, int j) {
        for (int k = 0; k < 4; k++) {
            if (Math.abs(a[i * 4 + k] - b[j * 4 + k]) > EPS) {
                return false;
            }
        }
        return true;
    }
}

package io.conceptseg.encoder.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.BoxPrompt;
import io.conceptseg.api.ConceptPrompt;
import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.PointPrompt;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.stage.ImageEmbedding;
import io.conceptseg.api.stage.Letterbox;
import io.conceptseg.api.stage.PromptEmbedding;
import io.conceptseg.api.stage.TextEmbedding;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GeometryPromptEncoderTest {
    private static final int L = 6;
    private static final int D = FakeSession.D;
    /** fpn_feat_1 of the one image, [1, 2, 2, 2], values 0..7. */
    private static final Tensor FEAT = Tensor.ofFloats(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 1, 2, 2, 2);
    /** A 200x100 image in a 128 frame: scale 0.64, normalised = pixels / 200. */
    private static final ImageEmbedding IMAGE = new ImageEmbedding("img", Letterbox.of(200, 100, 128),
            Map.of("fpn_feat_1", FEAT));

    private final GeometryPromptEncoder encoder = new GeometryPromptEncoder();

    /** Text features for phrases with {@code valid[t]} valid tokens: token l of row t = [1000 t + l, ...]. */
    private static TextEmbedding text(int... valid) {
        float[] f = new float[valid.length * L * D];
        float[] m = new float[valid.length * L];
        for (int t = 0; t < valid.length; t++) {
            for (int l = 0; l < L; l++) {
                for (int d = 0; d < D; d++) {
                    f[(t * L + l) * D + d] = 1000 * t + l + d / 10f;
                }
                m[t * L + l] = l < valid[t] ? 1 : 0;
            }
        }
        List<String> phrases = new java.util.ArrayList<>();
        for (int t = 0; t < valid.length; t++) {
            phrases.add("phrase " + t);
        }
        return new TextEmbedding(phrases, Tensor.ofFloats(f, valid.length, L, D), Tensor.ofFloats(m, valid.length, L));
    }

    private static float[] row(PromptEmbedding e, int b, int p) {
        int pp = (int) e.features().dim(1);
        float[] r = new float[D];
        System.arraycopy(e.features().floats(), (b * pp + p) * D, r, 0, D);
        return r;
    }

    private static float mask(PromptEmbedding e, int b, int p) {
        return e.mask().floats()[b * (int) e.mask().dim(1) + p];
    }

    private static float[] textToken(int t, int l) {
        float[] r = new float[D];
        for (int d = 0; d < D; d++) {
            r[d] = 1000 * t + l + d / 10f;
        }
        return r;
    }

    @Test
    void textOnlyPromptsKeepTheirValidTokensAndArePadded() {
        FakeSession session = new FakeSession(true);
        PromptEmbedding e = encoder.encode(session, IMAGE,
                List.of(ConceptPrompt.text("rust"), ConceptPrompt.text("brass washer")), text(3, 5));
        assertArrayEquals(new long[] {2, 5, D}, e.features().shape());
        assertArrayEquals(new long[] {2, 5}, e.mask().shape());
        for (int l = 0; l < 5; l++) {
            if (l < 3) {
                assertArrayEquals(textToken(0, l), row(e, 0, l));
                assertEquals(1f, mask(e, 0, l));
            } else {
                assertArrayEquals(new float[D], row(e, 0, l), "padding is zero");
                assertEquals(0f, mask(e, 0, l));
            }
            assertArrayEquals(textToken(1, l), row(e, 1, l));
            assertEquals(1f, mask(e, 1, l));
        }
        assertEquals(0, session.runs.size(), "no geometry, no geometry stage");
    }

    @Test
    void geometryOnlyPromptsRunTheStageOnceWithConvertedCoordinates() {
        FakeSession session = new FakeSession(true);
        ConceptPrompt boxes = new ConceptPrompt(null, List.of(new BoxPrompt(20, 10, 40, 30, true),
                new BoxPrompt(100, 50, 20, 20, false)), List.of());
        ConceptPrompt point = new ConceptPrompt(null, List.of(), List.of(new PointPrompt(50, 25, false)));
        PromptEmbedding e = encoder.encode(session, IMAGE, List.of(boxes, point), null);

        assertEquals(1, session.runs.size());
        Map<String, Tensor> in = session.runs.get(0);
        assertArrayEquals(new long[] {2, 2, 4}, in.get("input_boxes").shape());
        float s = 200f;  // 128 / (200 * 0.64): normalised = pixels / 200
        assertArrayEquals(new float[] {
            40 / s, 25 / s, 40 / s, 30 / s,     110 / s, 60 / s, 20 / s, 20 / s,
            50 / s, 25 / s, 0, 0,                0, 0, 0, 0}, in.get("input_boxes").floats(), 1e-6f);
        assertArrayEquals(new long[] {1, 0, 2, -1}, in.get("input_labels").longs());
        assertArrayEquals(new long[] {2, 2, 2, 2}, in.get("fpn_feat_1").shape(), "the image repeated per prompt");
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7}, in.get("fpn_feat_1").floats());

        assertArrayEquals(new long[] {2, 2, D}, e.features().shape());
        assertArrayEquals(new float[] {101, 40 / s, 25 / s, 40 / s, 30 / s}, row(e, 0, 0), 1e-6f);
        assertArrayEquals(new float[] {100, 110 / s, 60 / s, 20 / s, 20 / s}, row(e, 0, 1), 1e-6f);
        assertArrayEquals(new float[] {102, 50 / s, 25 / s, 0, 0}, row(e, 1, 0), 1e-6f);
        assertArrayEquals(new float[] {1, 1, 1, 0}, e.mask().floats());
        assertArrayEquals(new float[D], row(e, 1, 1));
    }

    @Test
    void mixedBatchPutsTextTokensBeforeGeometryTokens() {
        FakeSession session = new FakeSession(true);
        ConceptPrompt textOnly = ConceptPrompt.text("rust spot");
        ConceptPrompt textAndBox = new ConceptPrompt("washer", List.of(new BoxPrompt(0, 0, 200, 100, true)),
                List.of(new PointPrompt(200, 100, true)));
        ConceptPrompt boxOnly = new ConceptPrompt(null, List.of(new BoxPrompt(10, 10, 10, 10, false)), List.of());
        PromptEmbedding e = encoder.encode(session, IMAGE, List.of(textOnly, textAndBox, boxOnly), text(4, 3));

        // G = 2 (prompts 1 and 2), N = 2 (prompt 1 has a box and a point)
        assertArrayEquals(new long[] {1, 3, 0, -1}, session.runs.get(0).get("input_labels").longs());
        // P = max(4, 3 + 2, 1) = 5
        assertArrayEquals(new long[] {3, 5, D}, e.features().shape());
        assertArrayEquals(new float[] {1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0}, e.mask().floats());
        for (int l = 0; l < 4; l++) {
            assertArrayEquals(textToken(0, l), row(e, 0, l));
        }
        for (int l = 0; l < 3; l++) {
            assertArrayEquals(textToken(1, l), row(e, 1, l), "prompt 1 starts with its text tokens");
        }
        // the whole image: cx = 100/200, cy = 50/200, w = 1, h = 0.5
        assertArrayEquals(new float[] {101, 0.5f, 0.25f, 1f, 0.5f}, row(e, 1, 3), 1e-6f);
        assertArrayEquals(new float[] {103, 1f, 0.5f, 0, 0}, row(e, 1, 4), 1e-6f);
        assertArrayEquals(new float[] {100, 15 / 200f, 15 / 200f, 10 / 200f, 10 / 200f}, row(e, 2, 0), 1e-6f);
    }

    @Test
    void boxesAreClippedToTheImage() {
        FakeSession session = new FakeSession(true);
        ConceptPrompt p = new ConceptPrompt(null, List.of(new BoxPrompt(-50, 80, 100, 100, true)), List.of());
        encoder.encode(session, IMAGE, List.of(p), null);
        // clipped to [0, 80] - [50, 100]: cx 25, cy 90, w 50, h 20
        assertArrayEquals(new float[] {25 / 200f, 90 / 200f, 50 / 200f, 20 / 200f},
                session.runs.get(0).get("input_boxes").floats(), 1e-6f);
    }

    @Test
    void boxesAndPointsOutsideTheImageAreRefusedByName() {
        FakeSession session = new FakeSession(true);
        ConceptPrompt outsideBox = new ConceptPrompt("washer", List.of(new BoxPrompt(200, 10, 5, 5, true)), List.of());
        InvalidInputException box = assertThrows(InvalidInputException.class,
                () -> encoder.encode(session, IMAGE, List.of(outsideBox), text(2)));
        assertTrue(box.input().contains("box [200.0, 10.0, 5.0, 5.0]") && box.input().contains("washer"), box.getMessage());
        assertTrue(box.problem().contains("200x100"), box.getMessage());

        ConceptPrompt outsidePoint = new ConceptPrompt(null, List.of(), List.of(new PointPrompt(10, -1, true)));
        InvalidInputException point = assertThrows(InvalidInputException.class,
                () -> encoder.encode(session, IMAGE, List.of(ConceptPrompt.text("rust"), outsidePoint), text(2)));
        assertTrue(point.input().startsWith("point [10.0, -1.0]"), point.getMessage());
        assertEquals(0, session.runs.size(), "nothing ran");
    }

    @Test
    void inconsistentTextEmbeddingsAreReported() {
        FakeSession session = new FakeSession(true);
        List<ConceptPrompt> two = List.of(ConceptPrompt.text("a"), ConceptPrompt.text("b"));
        assertThrows(ConceptSegException.class, () -> encoder.encode(session, IMAGE, two, null));
        ConceptSegException e = assertThrows(ConceptSegException.class, () -> encoder.encode(session, IMAGE, two, text(3)));
        assertTrue(e.getMessage().contains("2 prompts"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> encoder.encode(session, IMAGE, List.of(), null));
    }

    @Test
    void geometryNeedsAGeometryStage() {
        FakeSession session = new FakeSession(false);
        ConceptPrompt p = new ConceptPrompt(null, List.of(new BoxPrompt(1, 1, 5, 5, true)), List.of());
        ModelPackageException e = assertThrows(ModelPackageException.class,
                () -> encoder.encode(session, IMAGE, List.of(p), null));
        assertTrue(e.getMessage().contains("geometry"), e.getMessage());
    }

    @Test
    void badGeometryOutputsAreReported() {
        ConceptPrompt p = new ConceptPrompt(null, List.of(new BoxPrompt(1, 1, 5, 5, true)), List.of());
        FakeSession missing = new FakeSession(FakeSession.model(true), in -> Map.of());
        ConceptSegException e = assertThrows(ConceptSegException.class, () -> encoder.encode(missing, IMAGE, List.of(p), null));
        assertTrue(e.getMessage().contains("geometry_features"), e.getMessage());
        FakeSession wrong = new FakeSession(FakeSession.model(true), in -> Map.of(
                "geometry_features", Tensor.ofFloats(new float[2 * D], 1, 2, D),
                "geometry_mask", Tensor.ofFloats(new float[2], 1, 2)));
        ConceptSegException s = assertThrows(ConceptSegException.class, () -> encoder.encode(wrong, IMAGE, List.of(p), null));
        assertTrue(s.getMessage().contains("[1, 2, 5]"), s.getMessage());
        ImageEmbedding noFeature = new ImageEmbedding("img", IMAGE.letterbox(), Map.of());
        ConceptSegException f = assertThrows(ConceptSegException.class,
                () -> encoder.encode(new FakeSession(true), noFeature, List.of(p), null));
        assertTrue(f.getMessage().contains("fpn_feat_1"), f.getMessage());
    }
}

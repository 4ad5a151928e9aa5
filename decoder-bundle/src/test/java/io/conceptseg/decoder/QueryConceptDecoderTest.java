package io.conceptseg.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.BoundingBox;
import io.conceptseg.api.ConceptPrompt;
import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.Detection;
import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.PromptResult;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.stage.DecodeOptions;
import io.conceptseg.api.stage.FusedFeatures;
import io.conceptseg.api.stage.ImageEmbedding;
import io.conceptseg.api.stage.Letterbox;
import io.conceptseg.api.stage.PromptEmbedding;
import io.conceptseg.commons.rle.CocoRle;
import io.conceptseg.commons.rle.RunMask;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryConceptDecoderTest {
    private static final List<String> DECODER_INPUTS =
            List.of("fused_features", "fpn_feat_0", "fpn_feat_1", "fpn_pos_2", "prompt_features", "prompt_mask");
    private static final List<String> DECODER_OUTPUTS = List.of("pred_masks", "pred_boxes", "pred_logits", "presence_logits");
    private static final int Q = 4;

    private final QueryConceptDecoder decoder = new QueryConceptDecoder(new SigmoidPresenceHead());

    /** Image features of batch 1 with distinct values so that a repeat can be recognised. */
    private static ImageEmbedding image(Letterbox lb) {
        return new ImageEmbedding("img", lb, Map.of(
                "fpn_feat_0", Tensor.ofFloats(new float[] {1, 2}, 1, 2),
                "fpn_feat_1", Tensor.ofFloats(new float[] {3}, 1, 1),
                "fpn_feat_2", Tensor.ofFloats(new float[] {4}, 1, 1),
                "fpn_pos_2", Tensor.ofFloats(new float[] {5}, 1, 1)));
    }

    private static PromptEmbedding prompts(int batch) {
        return new PromptEmbedding(Tensor.ofFloats(new float[batch * 2 * 3], batch, 2, 3), Tensor.ofFloats(new float[batch * 2], batch, 2));
    }

    private static FusedFeatures fused(int batch) {
        return new FusedFeatures(Map.of("fused_features", Tensor.ofFloats(new float[batch * 3], batch, 3)));
    }

    private static List<ConceptPrompt> phrases(String... p) {
        return java.util.Arrays.stream(p).map(ConceptPrompt::text).toList();
    }

    /** Decoder outputs: per prompt, per query a 2x2 mask grid, a box, a match logit; a presence logit per prompt. */
    private static Map<String, Tensor> outputs(int batch, float[] masks, float[] boxes, float[] logits, float[] presence) {
        return Map.of("pred_masks", Tensor.ofFloats(masks, batch, Q, 2, 2),
                "pred_boxes", Tensor.ofFloats(boxes, batch, Q, 4),
                "pred_logits", Tensor.ofFloats(logits, batch, Q),
                "presence_logits", Tensor.ofFloats(presence, batch, 1));
    }

    private static float[] constantMasks(int batch, float v) {
        float[] m = new float[batch * Q * 4];
        java.util.Arrays.fill(m, v);
        return m;
    }

    private static float[] centredBoxes(int batch) {
        float[] b = new float[batch * Q * 4];
        for (int i = 0; i < batch * Q; i++) {
            b[i * 4] = 0.5f;
            b[i * 4 + 1] = 0.5f;
            b[i * 4 + 2] = 0.5f;
            b[i * 4 + 3] = 0.5f;
        }
        return b;
    }

    private static FakeSession session(int side, Map<String, Tensor> out) {
        return FakeSession.create(side).stage("decoder", DECODER_INPUTS, DECODER_OUTPUTS, in -> out);
    }

    @Test
    void scoresThresholdsAndOrdersEachPrompt() {
        // prompt 0 present (logit 0 -> 0.5): scores 0.5 * sigmoid(0, 2, -3, 1) = 0.25, 0.440, 0.0237, 0.366
        // prompt 1 absent (logit -10): every score below 5e-5
        float[] logits = {0, 2, -3, 1, 8, 8, 8, 8};
        float[] presence = {0, -10};
        FakeSession s = session(8, outputs(2, constantMasks(2, 5), centredBoxes(2), logits, presence));
        List<PromptResult> r = decoder.decode(s, image(Letterbox.of(8, 8, 8)), prompts(2), fused(2),
                phrases("rust spot", "scratch"), new DecodeOptions(0.3, 0.0));
        assertEquals(2, r.size());
        PromptResult present = r.get(0);
        assertEquals("rust spot", present.prompt().text());
        assertEquals(0.5, present.presence(), 0);
        List<Detection> d = present.detections();
        assertEquals(2, d.size());
        assertEquals(0.5 * SigmoidPresenceHead.sigmoid(2), d.get(0).score(), 1e-12);
        assertEquals(0.5 * SigmoidPresenceHead.sigmoid(1), d.get(1).score(), 1e-12);
        assertEquals("rust spot", d.get(0).label());
        assertEquals(64, d.get(0).area());
        PromptResult absent = r.get(1);
        assertEquals(SigmoidPresenceHead.sigmoid(-10), absent.presence(), 1e-9);
        assertTrue(absent.detections().isEmpty());
    }

    @Test
    void keepsScoresEqualToTheThresholdAndUsesModelThresholdsByDefault() {
        float[] logits = {0, 0, -1, 3};
        FakeSession s = session(8, outputs(1, constantMasks(1, 5), centredBoxes(1), logits, new float[] {100}));
        // presence 1: scores 0.5, 0.5, 0.269, 0.953; the model's threshold 0.5 keeps 3 (ties in query order)
        List<PromptResult> r = decoder.decode(s, image(Letterbox.of(8, 8, 8)), prompts(1), fused(1), phrases("nut"), null);
        List<Detection> d = r.get(0).detections();
        assertEquals(3, d.size());
        assertEquals(SigmoidPresenceHead.sigmoid(3), d.get(0).score(), 1e-12);
        assertEquals(0.5, d.get(1).score(), 0);
        assertEquals(0.5, d.get(2).score(), 0);
    }

    @Test
    void dropsADetectionThatDuplicatesABetterOneWhenTheModelAsks() {
        // 2x2 grids: queries 0 and 1 cover the left half of the 8x8 image, query 2 the right half
        float[] masks = {5, -5, 5, -5, 5, -5, 5, -5, -5, 5, -5, 5, -5, -5, -5, -5};
        float[] logits = {3, 2, 1, -9};
        Map<String, Tensor> out = outputs(1, masks, centredBoxes(1), logits, new float[] {10});
        for (double duplicateIou : new double[] {0.5, 1.0}) {
            FakeSession s = FakeSession.create(8, new io.conceptseg.api.model.ModelDescriptor.Thresholds(0.5, 0.0, duplicateIou))
                    .stage("decoder", DECODER_INPUTS, DECODER_OUTPUTS, in -> out);
            List<Detection> d = decoder.decode(s, image(Letterbox.of(8, 8, 8)), prompts(1), fused(1), phrases("nut"), null)
                    .get(0).detections();
            List<Double> scores = d.stream().map(Detection::score).toList();
            if (duplicateIou < 1) {
                assertEquals(List.of(score(3), score(1)), scores, "the copy of query 0 is dropped");
            } else {
                assertEquals(List.of(score(3), score(2), score(1)), scores, "1 keeps every detection");
            }
            assertEquals(32, d.get(0).area());
        }
        RunMask left = RunMask.of(new boolean[] {true, false, true, false}, 2, 2);
        RunMask leftTop = RunMask.of(new boolean[] {true, false, false, false}, 2, 2);
        assertTrue(QueryConceptDecoder.duplicates(leftTop, List.of(left), 0.49), "IoU 0.5 is above 0.49");
        assertTrue(!QueryConceptDecoder.duplicates(leftTop, List.of(left), 0.5), "IoU 0.5 is not above 0.5");
    }

    private static double score(float logit) {
        return SigmoidPresenceHead.sigmoid(logit) * SigmoidPresenceHead.sigmoid(10);
    }

    @Test
    void ordersKeptQueriesByScore() {
        assertArrayEquals(new int[] {3, 0, 2, 4}, QueryConceptDecoder.keptBestFirst(new double[] {0.7, 0.1, 0.5, 0.9, 0.5}, 0.5));
        assertArrayEquals(new int[] {}, QueryConceptDecoder.keptBestFirst(new double[] {0.1, 0.2}, 0.5));
        assertArrayEquals(new int[] {1, 0}, QueryConceptDecoder.keptBestFirst(new double[] {0.2, 0.3}, 0.0));
    }

    @Test
    void dropsDetectionsWhoseMaskIsEmpty() {
        float[] masks = constantMasks(1, 5);
        for (int i = 0; i < 4; i++) {
            masks[4 + i] = -5; // query 1, the best scoring, has no pixel above 0
        }
        float[] logits = {1, 5, -9, 2};
        FakeSession s = session(8, outputs(1, masks, centredBoxes(1), logits, new float[] {10}));
        List<Detection> d = decoder.decode(s, image(Letterbox.of(8, 8, 8)), prompts(1), fused(1), phrases("nut"),
                new DecodeOptions(0.5, 0.0)).get(0).detections();
        assertEquals(2, d.size());
        assertEquals(SigmoidPresenceHead.sigmoid(2) * SigmoidPresenceHead.sigmoid(10), d.get(0).score(), 1e-12);
        assertEquals(SigmoidPresenceHead.sigmoid(1) * SigmoidPresenceHead.sigmoid(10), d.get(1).score(), 1e-12);
        // the mask logit threshold is the one given: above 5 nothing is on, so nothing is left
        assertTrue(decoder.decode(s, image(Letterbox.of(8, 8, 8)), prompts(1), fused(1), phrases("nut"),
                new DecodeOptions(0.5, 5.0)).get(0).detections().isEmpty());
    }

    @Test
    void masksAndBoxesAreInOriginalPixelsOfANonSquareImage() {
        // 16 x 8 image on S = 8: scale 0.5, the image fills model rows [0, 4), rows [4, 8) are padding.
        // 2x2 grid: the top grid row covers the image, the bottom one padding only.
        // Image row y has grid coordinate (y + 0.5) * 0.5 / 4 - 0.5 <= 7.5/8 - 0.5 = 0.4375.
        float[] masks = constantMasks(1, -5);
        masks[0] = 4;  // query 0: left column of the grid on, right off
        masks[2] = 4;  // same column, padding row
        masks[1] = -4;
        masks[3] = -4;
        float[] boxes = centredBoxes(1);
        // query 0: cx 0.25, cy 0.25, w 0.5, h 0.5 -> model [0, 4) x [0, 4) -> original x [0, 8), y [0, 8)
        boxes[0] = 0.25f;
        boxes[1] = 0.25f;
        float[] logits = {5, -9, -9, -9};
        FakeSession s = session(8, outputs(1, masks, boxes, logits, new float[] {5}));
        Letterbox lb = Letterbox.of(16, 8, 8);
        Detection d = decoder.decode(s, image(lb), prompts(1), fused(1), phrases("washer"), new DecodeOptions(0.5, 0.0))
                .get(0).detections().get(0);
        assertEquals(8, d.mask().height());
        assertEquals(16, d.mask().width());
        // columns: grid x = (x + 0.5) / 8 - 0.5; value 4 - 8 * wx > 0 while wx < 0.5, i.e. x + 0.5 < 8
        boolean[] px = CocoRle.decode("test", d.mask());
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                assertEquals(x < 8, px[y * 16 + x], "pixel (" + x + "," + y + ")");
            }
        }
        assertEquals(64, d.area());
        BoundingBox box = d.box();
        assertArrayEquals(new double[] {0, 0, 8, 8}, box.toArray(), 1e-5);
    }

    @Test
    void boxesAreConvertedAndClippedToTheImage() {
        Letterbox lb = Letterbox.of(200, 100, 16); // scale 0.08: model side 16 = 200 original pixels
        float[] boxes = {
            0.5f, 0.25f, 0.5f, 0.5f,   // x [0.25, 0.75] -> [50, 150]; y [0, 0.5] -> [0, 100]
            0.5f, 0.25f, 0.5f, 0.6f,   // y [-0.05, 0.55] -> clipped to [0, 100]
            0.5f, 0.75f, 0.2f, 0.2f,   // wholly in the padding below the image -> zero height at y = 100
            0.9f, 0.1f, 0.4f, 0.1f};   // x [0.7, 1.1] -> [140, 200]; y [0.05, 0.15] -> [10, 30]
        assertArrayEquals(new double[] {50, 0, 100, 100}, QueryConceptDecoder.toOriginal(boxes, 0, lb).toArray(), 1e-4);
        assertArrayEquals(new double[] {50, 0, 100, 100}, QueryConceptDecoder.toOriginal(boxes, 4, lb).toArray(), 1e-4);
        assertArrayEquals(new double[] {80, 100, 40, 0}, QueryConceptDecoder.toOriginal(boxes, 8, lb).toArray(), 1e-4);
        assertArrayEquals(new double[] {140, 10, 60, 20}, QueryConceptDecoder.toOriginal(boxes, 12, lb).toArray(), 1e-4);
    }

    @Test
    void bindsInputsByNameAndRepeatsImageFeaturesToThePromptBatch() {
        FakeSession s = session(8, outputs(3, constantMasks(3, -1), centredBoxes(3), new float[12], new float[3]));
        ImageEmbedding img = image(Letterbox.of(8, 8, 8));
        PromptEmbedding p = prompts(3);
        FusedFeatures f = fused(3);
        decoder.decode(s, img, p, f, phrases("a", "b", "c"), new DecodeOptions(0.5, 0));
        Map<String, Tensor> in = s.fake("decoder").calls.get(0);
        assertEquals(new java.util.HashSet<>(DECODER_INPUTS), in.keySet());
        assertSame(f.tensors().get("fused_features"), in.get("fused_features"));
        assertSame(p.features(), in.get("prompt_features"));
        assertSame(p.mask(), in.get("prompt_mask"));
        assertArrayEquals(new long[] {3, 2}, in.get("fpn_feat_0").shape());
        assertArrayEquals(new float[] {1, 2, 1, 2, 1, 2}, in.get("fpn_feat_0").floats());
        assertArrayEquals(new float[] {5, 5, 5}, in.get("fpn_pos_2").floats());
    }

    @Test
    void explainsBadInputsAndOutputs() {
        Letterbox lb = Letterbox.of(8, 8, 8);
        FakeSession ok = session(8, outputs(1, constantMasks(1, 1), centredBoxes(1), new float[4], new float[1]));
        InvalidInputException count = assertThrows(InvalidInputException.class,
                () -> decoder.decode(ok, image(lb), prompts(1), fused(1), phrases("a", "b"), null));
        assertTrue(count.getMessage().contains("2 prompts given for a prompt batch of 1"), count.getMessage());
        assertThrows(InvalidInputException.class,
                () -> decoder.decode(ok, image(lb), prompts(1), fused(1), phrases("a"), new DecodeOptions(1.5, 0)));
        InvalidInputException noLetterbox = assertThrows(InvalidInputException.class,
                () -> decoder.decode(ok, image(new Letterbox(0, 8, 8, 1)), prompts(1), fused(1), phrases("a"), null));
        assertTrue(noLetterbox.getMessage().startsWith("image embedding img: has no usable letterbox"), noLetterbox.getMessage());

        FakeSession missingInput = FakeSession.create(8).stage("decoder", List.of("fused_features", "fpn_feat_9"), DECODER_OUTPUTS,
                in -> Map.of());
        ModelPackageException noInput = assertThrows(ModelPackageException.class,
                () -> decoder.decode(missingInput, image(lb), prompts(1), fused(1), phrases("a"), null));
        assertTrue(noInput.getMessage().contains("'fpn_feat_9'"), noInput.getMessage());

        Map<String, Tensor> badMasks = new java.util.HashMap<>(outputs(1, constantMasks(1, 1), centredBoxes(1), new float[4], new float[1]));
        badMasks.put("pred_masks", Tensor.ofFloats(new float[16], 1, 16));
        ConceptSegException shape = assertThrows(ConceptSegException.class,
                () -> decoder.decode(session(8, badMasks), image(lb), prompts(1), fused(1), phrases("a"), null));
        assertTrue(shape.getMessage().contains("pred_masks has shape [1, 16]"), shape.getMessage());

        Map<String, Tensor> noBoxes = new java.util.HashMap<>(badMasks);
        noBoxes.remove("pred_boxes");
        noBoxes.put("pred_masks", Tensor.ofFloats(new float[16], 1, Q, 2, 2));
        ConceptSegException missing = assertThrows(ConceptSegException.class,
                () -> decoder.decode(session(8, noBoxes), image(lb), prompts(1), fused(1), phrases("a"), null));
        assertTrue(missing.getMessage().contains("no output 'pred_boxes'"), missing.getMessage());

        FakeSession nan = session(8, outputs(1, constantMasks(1, 1), centredBoxes(1), new float[] {0, Float.NaN, 0, 0}, new float[1]));
        ConceptSegException garbage = assertThrows(ConceptSegException.class,
                () -> decoder.decode(nan, image(lb), prompts(1), fused(1), phrases("a"), null));
        assertTrue(garbage.getMessage().contains("NaN"), garbage.getMessage());

        FakeSession wrongBatch = session(8, outputs(1, constantMasks(1, 1), centredBoxes(1), new float[4], new float[1]));
        FusedFeatures batch2 = fused(2);
        ConceptSegException batch = assertThrows(ConceptSegException.class,
                () -> decoder.decode(wrongBatch, image(lb), prompts(3), batch2, phrases("a", "b", "c"), null));
        assertTrue(batch.getMessage().contains("fused_features"), batch.getMessage());
    }
}

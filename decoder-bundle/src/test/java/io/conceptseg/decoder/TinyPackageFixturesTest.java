package io.conceptseg.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ConceptPrompt;
import io.conceptseg.api.Detection;
import io.conceptseg.api.PromptResult;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.model.TensorSpec;
import io.conceptseg.api.stage.DecodeOptions;
import io.conceptseg.api.stage.FusedFeatures;
import io.conceptseg.api.stage.ImageEmbedding;
import io.conceptseg.api.stage.Letterbox;
import io.conceptseg.api.stage.PromptEmbedding;
import io.conceptseg.commons.model.ModelPackages;
import io.conceptseg.commons.rle.CocoRle;
import io.conceptseg.commons.safetensors.SafeTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fusion encoder and decoder against the inspection-tiny package: its real stage signatures
 * and its fixture tensors (batch 2), with stage runners that answer with the fixture outputs.
 */
class TinyPackageFixturesTest {
    private static final Path TINY = Path.of(System.getProperty("conceptseg.root", ".."))
            .resolve("model-inspection/packages/inspection-tiny");

    private final ModelPackage model = ModelPackages.open(TINY, "test");

    /** The fixture tensors of a stage, "input." and "output." prefixes kept. */
    private Map<String, Tensor> fixture(String stage) {
        SafeTensors st = SafeTensors.open(model.file(model.descriptor().stage(stage).file("fixture")));
        Map<String, Tensor> all = new HashMap<>();
        for (String name : st.names()) {
            all.put(name, st.tensor(name));
        }
        return all;
    }

    private static Map<String, Tensor> prefixed(Map<String, Tensor> fixture, String prefix) {
        Map<String, Tensor> out = new HashMap<>();
        fixture.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    @Test
    void fusionFeedsExactlyTheSignatureInputs() {
        Map<String, Tensor> fx = fixture("fusion");
        Map<String, Tensor> in = prefixed(fx, "input.");
        FakeSession s = FakeSession.over(model).runner("fusion", x -> prefixed(fx, "output."));
        Map<String, Tensor> features = new HashMap<>(in);
        features.remove("prompt_features");
        features.remove("prompt_mask");
        features.put("fpn_feat_0", Tensor.ofFloats(new float[2], 2, 1)); // present but not asked for
        ImageEmbedding image = new ImageEmbedding("fixture", Letterbox.of(128, 96, 128), features);
        PromptEmbedding prompts = new PromptEmbedding(in.get("prompt_features"), in.get("prompt_mask"));

        FusedFeatures fused = new StageFusionEncoder().fuse(s, image, prompts);

        Map<String, Tensor> got = s.fake("fusion").calls.get(0);
        List<String> names = model.descriptor().stage("fusion").inputs().stream().map(TensorSpec::name).toList();
        assertEquals(new java.util.HashSet<>(names), got.keySet());
        names.forEach(n -> assertSame(in.get(n), got.get(n), n));
        assertSame(fx.get("output.fused_features"), fused.tensors().get("fused_features"));
    }

    @Test
    void decoderOutputsBecomeDetectionsMatchingAReferenceComputation() {
        Map<String, Tensor> fx = fixture("decoder");
        Map<String, Tensor> in = prefixed(fx, "input.");
        Map<String, Tensor> out = prefixed(fx, "output.");
        FakeSession s = FakeSession.over(model).runner("decoder", x -> out);
        PromptEmbedding prompts = new PromptEmbedding(in.get("prompt_features"), in.get("prompt_mask"));
        FusedFeatures fused = new FusedFeatures(Map.of("fused_features", in.get("fused_features")));
        List<ConceptPrompt> phrases = List.of(ConceptPrompt.text("rust spot"), ConceptPrompt.text("scratch"));
        QueryConceptDecoder decoder = new QueryConceptDecoder(new SigmoidPresenceHead());
        double threshold = model.descriptor().thresholds().score();

        // the fixture's second image is 128 x 96 letterboxed; also try a larger original of that shape
        int detections = 0;
        for (Letterbox lb : List.of(Letterbox.of(128, 96, 128), Letterbox.of(400, 300, 128))) {
            ImageEmbedding image = new ImageEmbedding("fixture", lb, Map.of(
                    "fpn_feat_0", in.get("fpn_feat_0"), "fpn_feat_1", in.get("fpn_feat_1"), "fpn_pos_2", in.get("fpn_pos_2")));
            List<PromptResult> results = decoder.decode(s, image, prompts, fused, phrases, null);
            Map<String, Tensor> got = s.fake("decoder").calls.get(s.fake("decoder").calls.size() - 1);
            in.forEach((n, t) -> assertSame(t, got.get(n), n));

            float[] logits = out.get("pred_logits").floats();
            float[] presence = out.get("presence_logits").floats();
            float[] masks = out.get("pred_masks").floats();
            float[] boxes = out.get("pred_boxes").floats();
            int q = (int) out.get("pred_masks").dim(1);
            int g = (int) out.get("pred_masks").dim(2);
            for (int b = 0; b < 2; b++) {
                PromptResult r = results.get(b);
                double p = 1 / (1 + Math.exp(-presence[b]));
                assertEquals(p, r.presence(), 1e-12);
                List<Integer> expected = new ArrayList<>();
                for (int k = 0; k < q; k++) {
                    double score = p / (1 + Math.exp(-logits[b * q + k]));
                    if (score >= threshold && anyPixelOn(masks, (b * q + k) * g * g, g, lb)) {
                        expected.add(k);
                    }
                }
                final int base = b * q; // stable sort: ties stay in query order
                expected.sort((i, j) -> Float.compare(logits[base + j], logits[base + i]));
                assertEquals(expected.size(), r.detections().size(), "prompt " + b + " on " + lb);
                for (int i = 0; i < expected.size(); i++) {
                    int k = expected.get(i);
                    Detection d = r.detections().get(i);
                    assertEquals(p / (1 + Math.exp(-logits[b * q + k])), d.score(), 1e-12);
                    assertEquals(phrases.get(b).label(), d.label());
                    checkMask(d, masks, (b * q + k) * g * g, g, lb);
                    double[] box = referenceBox(boxes, (b * q + k) * 4, lb);
                    assertArrayEquals(box, d.box().toArray(), 1e-3);
                    detections++;
                }
            }
        }
        assertTrue(detections >= 4, "the fixture should give detections to check, got " + detections);
    }

    private static boolean anyPixelOn(float[] masks, int offset, int g, Letterbox lb) {
        for (int y = 0; y < lb.height(); y++) {
            for (int x = 0; x < lb.width(); x++) {
                if (ReferenceBilinear.logit(masks, offset, g, g, lb, x, y) > 0) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void checkMask(Detection d, float[] masks, int offset, int g, Letterbox lb) {
        assertEquals(lb.height(), d.mask().height());
        assertEquals(lb.width(), d.mask().width());
        boolean[] px = CocoRle.decode("test", d.mask());
        long area = 0;
        for (int y = 0; y < lb.height(); y++) {
            for (int x = 0; x < lb.width(); x++) {
                double ref = ReferenceBilinear.logit(masks, offset, g, g, lb, x, y);
                if (Math.abs(ref) > 1e-4) {
                    assertEquals(ref > 0, px[y * lb.width() + x], "pixel (" + x + "," + y + ")");
                }
                area += px[y * lb.width() + x] ? 1 : 0;
            }
        }
        assertEquals(area, d.area());
        assertTrue(area > 0);
    }

    /** cx, cy, w, h of the 128-pixel frame to original pixels, clipped: written out independently of Letterbox. */
    private static double[] referenceBox(float[] boxes, int o, Letterbox lb) {
        double toOriginal = 128.0 / lb.scale();
        double x0 = Math.max(0, (boxes[o] - boxes[o + 2] / 2) * toOriginal);
        double y0 = Math.max(0, (boxes[o + 1] - boxes[o + 3] / 2) * toOriginal);
        double x1 = Math.min(lb.width(), (boxes[o] + boxes[o + 2] / 2) * toOriginal);
        double y1 = Math.min(lb.height(), (boxes[o + 1] + boxes[o + 3] / 2) * toOriginal);
        x0 = Math.min(x0, lb.width());
        y0 = Math.min(y0, lb.height());
        return new double[] {x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0)};
    }
}

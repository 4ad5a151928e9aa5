package io.conceptseg.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.stage.FusedFeatures;
import io.conceptseg.api.stage.ImageEmbedding;
import io.conceptseg.api.stage.Letterbox;
import io.conceptseg.api.stage.PromptEmbedding;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StageFusionEncoderTest {
    private final StageFusionEncoder fusion = new StageFusionEncoder();
    private final ImageEmbedding image = new ImageEmbedding("img", Letterbox.of(4, 4, 4), Map.of(
            "fpn_feat_0", Tensor.ofFloats(new float[] {9}, 1, 1),
            "fpn_feat_2", Tensor.ofFloats(new float[] {1, 2}, 1, 2),
            "fpn_pos_2", Tensor.ofFloats(new float[] {3, 4}, 1, 2)));
    private final PromptEmbedding prompts = new PromptEmbedding(
            Tensor.ofFloats(new float[] {1, 2, 3}, 3, 1, 1), Tensor.ofFloats(new float[] {1, 1, 1}, 3, 1));

    @Test
    void runsTheFusionStageWithImageFeaturesRepeatedToThePromptBatch() {
        Tensor fusedOut = Tensor.ofFloats(new float[6], 3, 2);
        FakeSession s = FakeSession.create(4).stage("fusion",
                List.of("fpn_feat_2", "fpn_pos_2", "prompt_features", "prompt_mask"), List.of("fused_features"),
                in -> Map.of("fused_features", fusedOut));
        FusedFeatures f = fusion.fuse(s, image, prompts);
        assertSame(fusedOut, f.tensors().get("fused_features"));
        assertEquals(1, f.tensors().size());
        Map<String, Tensor> in = s.fake("fusion").calls.get(0);
        assertEquals(4, in.size()); // only what the signature names: not fpn_feat_0
        assertArrayEquals(new float[] {1, 2, 1, 2, 1, 2}, in.get("fpn_feat_2").floats());
        assertArrayEquals(new long[] {3, 2}, in.get("fpn_pos_2").shape());
        assertSame(prompts.features(), in.get("prompt_features"));
        assertSame(prompts.mask(), in.get("prompt_mask"));
    }

    @Test
    void passesImageFeaturesThroughWhenTheModelHasNoFusionStage() {
        FakeSession s = FakeSession.create(4).stage("decoder", List.of("fpn_feat_2"), List.of("pred_masks"), in -> Map.of());
        FusedFeatures f = fusion.fuse(s, image, prompts);
        assertEquals(image.features().keySet(), f.tensors().keySet());
        image.features().forEach((k, v) -> assertSame(v, f.tensors().get(k)));
        assertTrue(s.fake("decoder").calls.isEmpty());
    }

    @Test
    void namesAMissingOutput() {
        FakeSession s = FakeSession.create(4).stage("fusion", List.of("prompt_mask"), List.of("fused_features"),
                in -> Map.of("something_else", Tensor.ofFloats(new float[1], 1)));
        ConceptSegException e = assertThrows(ConceptSegException.class, () -> fusion.fuse(s, image, prompts));
        assertTrue(e.getMessage().contains("stage fusion") && e.getMessage().contains("'fused_features'"), e.getMessage());
    }
}

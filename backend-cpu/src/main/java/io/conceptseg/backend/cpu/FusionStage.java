package io.conceptseg.backend.cpu;

import static io.conceptseg.api.backend.DType.FLOAT32;

import io.conceptseg.api.model.TensorSpec;
import java.util.List;
import java.util.Map;

/**
 * Stage {@code fusion}: image tokens of fpn level 2 (with their positions) go through nF pre-LN
 * layers of self-attention, cross-attention to the prompt tokens (padded ones masked) and an FFN;
 * the result is layer-normed: fused_features [h2², D]. With dims.fusion_pos_input the tokens start
 * from feature + position, so the fused features carry position (instance-specific masks); with
 * dims.fusion_film each layer's FFN input is scaled by 1 + film(mean of the valid prompt tokens).
 */
final class FusionStage extends ModelStage {
    private final Dims dims;
    private final Layer[] layers;
    private final WeightFile.Norm norm;

    /** film is null unless dims.fusion_film: then the FFN input is scaled by 1 + film(prompt summary). */
    private record Layer(WeightFile.Norm norm1, Attention self, WeightFile.Norm norm2, Attention cross, WeightFile.Norm norm3,
            Linear film, Linear fc1, Linear fc2) { }

    FusionStage(Dims dims, WeightFile w) {
        this.dims = dims;
        int d = dims.dModel();
        float eps = dims.eps();
        layers = new Layer[dims.fusionLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "fusion.layers." + i;
            layers[i] = new Layer(w.norm(p + ".norm1", d, eps), w.attention(p + ".self_attn", d, dims.heads(), dims.maskBias()),
                    w.norm(p + ".norm2", d, eps), w.attention(p + ".cross_attn", d, dims.heads(), dims.maskBias()),
                    w.norm(p + ".norm3", d, eps), dims.fusionFilm() ? w.linear(p + ".film", d, d) : null,
                    w.linear(p + ".ffn.fc1", dims.ffnDim(), d),
                    w.linear(p + ".ffn.fc2", d, dims.ffnDim()));
        }
        norm = w.norm("fusion.norm", d, eps);
    }

    @Override
    String name() {
        return "fusion";
    }

    @Override
    List<TensorSpec> inputs() {
        int d = dims.dModel();
        int h = dims.featureSize(2);
        return List.of(spec("fpn_feat_2", FLOAT32, "B", d, h, h), spec("fpn_pos_2", FLOAT32, "B", d, h, h),
                spec("prompt_features", FLOAT32, "B", "P", d), spec("prompt_mask", FLOAT32, "B", "P"));
    }

    @Override
    List<TensorSpec> outputs() {
        int h = dims.featureSize(2);
        return List.of(spec("fused_features", FLOAT32, "B", h * h, dims.dModel()));
    }

    @Override
    Map<String, Output> run(WorkerPool pool, Element in, StageSignature check) {
        int d = dims.dModel();
        int h = dims.featureSize(2);
        int t = h * h;
        int p = in.dim("prompt_mask", 1);
        if (p == 0) {
            throw check.inputError("prompt_features", "has no prompt tokens (P = 0); every prompt needs at least one");
        }
        float[] x = Ops.mapToTokens(in.floats("fpn_feat_2"), 0, d, t);
        float[] pos = Ops.mapToTokens(in.floats("fpn_pos_2"), 0, d, t);
        if (dims.fusionPosInput()) {
            x = Ops.add(x, pos);
        }
        float[] prompt = in.floats("prompt_features");
        float[] promptMask = in.floats("prompt_mask");
        float[] summary = dims.fusionFilm() ? Ops.promptSummary(prompt, promptMask, p, d) : null;
        for (Layer layer : layers) {
            float[] hn = layer.norm1().apply(pool, x, t);
            float[] qk = Ops.add(hn, pos);
            layer.self().addTo(pool, qk, t, qk, hn, t, null, false, x);
            hn = layer.norm2().apply(pool, x, t);
            layer.cross().addTo(pool, hn, t, prompt, prompt, p, promptMask, false, x);
            hn = layer.norm3().apply(pool, x, t);
            if (layer.film() != null) {
                scaleColumns(hn, t, d, layer.film().apply(pool, summary, 1));
            }
            float[] f = layer.fc1().applyGelu(pool, hn, t);
            layer.fc2().addTo(pool, f, t, x);
        }
        return outputs("fused_features", new Output(norm.apply(pool, x, t), t, d));
    }

    /** x[r, c] *= 1 + g[c] for every row. */
    private static void scaleColumns(float[] x, int rows, int d, float[] g) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < d; c++) {
                x[r * d + c] *= 1f + g[c];
            }
        }
    }
}

package io.conceptseg.backend.cpu;

import static io.conceptseg.api.backend.DType.FLOAT32;
import static io.conceptseg.api.backend.DType.INT64;

import io.conceptseg.api.model.TensorSpec;
import java.util.List;
import java.util.Map;

/**
 * Stage {@code text}: input_ids, attention_mask [L] → text_features [L, D], text_mask [L]. Token
 * plus position embeddings, nT pre-LN transformer layers with a causal and key-padding bias, a
 * final LayerNorm and a projection to D; padding rows are zeroed.
 */
final class TextStage extends ModelStage {
    private final Dims dims;
    private final float[] tokenEmbed;
    private final float[] posEmbed;
    private final Layer[] layers;
    private final WeightFile.Norm norm;
    private final Linear proj;

    private record Layer(WeightFile.Norm norm1, Attention attn, WeightFile.Norm norm2, Linear fc1, Linear fc2) { }

    TextStage(Dims dims, WeightFile w) {
        this.dims = dims;
        int width = dims.textWidth();
        tokenEmbed = w.get("text.token_embed.weight", dims.vocabSize(), width);
        posEmbed = w.get("text.pos_embed", dims.contextLength(), width);
        layers = new Layer[dims.textLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "text.layers." + i;
            layers[i] = new Layer(w.norm(p + ".norm1", width, dims.eps()),
                    w.attention(p + ".attn", width, dims.textHeads(), dims.maskBias()), w.norm(p + ".norm2", width, dims.eps()),
                    w.linear(p + ".ffn.fc1", dims.textFfnDim(), width), w.linear(p + ".ffn.fc2", width, dims.textFfnDim()));
        }
        norm = w.norm("text.norm", width, dims.eps());
        proj = w.linear("text.proj", dims.dModel(), width);
    }

    @Override
    String name() {
        return "text";
    }

    @Override
    List<TensorSpec> inputs() {
        int l = dims.contextLength();
        return List.of(spec("input_ids", INT64, "B", l), spec("attention_mask", INT64, "B", l));
    }

    @Override
    List<TensorSpec> outputs() {
        int l = dims.contextLength();
        return List.of(spec("text_features", FLOAT32, "B", l, dims.dModel()), spec("text_mask", FLOAT32, "B", l));
    }

    @Override
    Map<String, Output> run(WorkerPool pool, Element in, StageSignature check) {
        int l = dims.contextLength();
        int width = dims.textWidth();
        int d = dims.dModel();
        long[] ids = in.longs("input_ids");
        long[] mask = in.longs("attention_mask");
        float[] m = new float[l];
        float[] x = new float[l * width];
        for (int t = 0; t < l; t++) {
            long id = ids[t];
            if (id < 0 || id >= dims.vocabSize()) {
                throw check.inputError("input_ids", "token id " + id + " at [" + in.index() + ", " + t
                        + "] is outside the vocabulary [0, " + dims.vocabSize() + ")");
            }
            m[t] = mask[t];
            for (int c = 0; c < width; c++) {
                x[t * width + c] = tokenEmbed[(int) id * width + c] + posEmbed[t * width + c];
            }
        }
        for (Layer layer : layers) {
            float[] h = layer.norm1().apply(pool, x, l);
            layer.attn().addTo(pool, h, l, h, h, l, m, true, x);
            float[] f = layer.fc1().applyGelu(pool, layer.norm2().apply(pool, x, l), l);
            layer.fc2().addTo(pool, f, l, x);
        }
        float[] y = proj.apply(pool, norm.apply(pool, x, l), l);
        for (int t = 0; t < l; t++) {
            for (int c = 0; c < d; c++) {
                y[t * d + c] *= m[t];
            }
        }
        return outputs("text_features", new Output(y, l, d), "text_mask", new Output(m, l));
    }
}

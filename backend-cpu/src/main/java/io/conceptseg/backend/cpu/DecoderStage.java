package io.conceptseg.backend.cpu;

import static io.conceptseg.api.backend.DType.FLOAT32;

import io.conceptseg.api.model.TensorSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Stage {@code decoder}: Q queries (learned, or with dims.dense_queries the fused image tokens at
 * their positions, boxes relative to decoder.box_ref) plus a presence token go through nD pre-LN layers
 * (self-attention, attention to the fused image tokens, attention to the prompt tokens, FFN); then
 * per query a box (MLP, sigmoid), a match logit (dot product with the mean prompt), a mask (query
 * embedding × the pixel decoder's stride-4 embedding), and the presence logit.
 */
final class DecoderStage extends ModelStage {
    private final Dims dims;
    private final float[] tokens0;   // [Q+1, D]: query_embed rows, then presence_embed (dense: presence_embed only)
    private final float[] tokenPos;  // [Q+1, D]: query_pos rows, then presence_pos (dense: presence_pos only)
    private final float[] boxRef;    // dense: [Q, 4] logit-space reference box of every cell; else null
    private final Layer[] layers;
    private final WeightFile.Norm norm;
    private final Linear[] boxHead = new Linear[3];
    private final Linear scoreQuery;
    private final Linear scorePrompt;
    private final float scoreBias;
    private final Linear presenceHead;
    private final Linear[] maskEmbed = new Linear[3];
    private final Conv2d pixelConv1;
    private final WeightFile.Norm pixelNorm1;
    private final Conv2d pixelConv0;

    private record Layer(WeightFile.Norm norm1, Attention self, WeightFile.Norm norm2, Attention image, WeightFile.Norm norm3,
            Attention prompt, WeightFile.Norm norm4, Linear fc1, Linear fc2) { }

    DecoderStage(Dims dims, WeightFile w) {
        this.dims = dims;
        int d = dims.dModel();
        int q = dims.queries();
        float eps = dims.eps();
        if (dims.denseQueries()) {
            tokens0 = w.get("decoder.presence_embed", 1, d);
            tokenPos = w.get("decoder.presence_pos", 1, d);
            boxRef = w.get("decoder.box_ref", q, 4);
        } else {
            tokens0 = concat(w.get("decoder.query_embed", q, d), w.get("decoder.presence_embed", 1, d));
            tokenPos = concat(w.get("decoder.query_pos", q, d), w.get("decoder.presence_pos", 1, d));
            boxRef = null;
        }
        layers = new Layer[dims.decoderLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "decoder.layers." + i;
            int heads = dims.heads();
            float neg = dims.maskBias();
            layers[i] = new Layer(w.norm(p + ".norm1", d, eps), w.attention(p + ".self_attn", d, heads, neg),
                    w.norm(p + ".norm2", d, eps), w.attention(p + ".image_attn", d, heads, neg),
                    w.norm(p + ".norm3", d, eps), w.attention(p + ".prompt_attn", d, heads, neg),
                    w.norm(p + ".norm4", d, eps), w.linear(p + ".ffn.fc1", dims.ffnDim(), d),
                    w.linear(p + ".ffn.fc2", d, dims.ffnDim()));
        }
        norm = w.norm("decoder.norm", d, eps);
        boxHead[0] = w.linear("decoder.box_head.layers.0", d, d);
        boxHead[1] = w.linear("decoder.box_head.layers.1", d, d);
        boxHead[2] = w.linear("decoder.box_head.layers.2", 4, d);
        scoreQuery = w.linear("decoder.score_query_proj", d, d);
        scorePrompt = w.linear("decoder.score_prompt_proj", d, d);
        scoreBias = w.get("decoder.score_bias", 1)[0];
        presenceHead = w.linear("decoder.presence_head", 1, d);
        for (int i = 0; i < 3; i++) {
            maskEmbed[i] = w.linear("decoder.mask_embed.layers." + i, d, d);
        }
        pixelConv1 = w.conv("decoder.pixel.conv_1", d, d, 3, 1);
        pixelNorm1 = w.norm("decoder.pixel.norm_1", d, eps);
        pixelConv0 = w.conv("decoder.pixel.conv_0", d, d, 3, 1);
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Override
    String name() {
        return "decoder";
    }

    @Override
    List<TensorSpec> inputs() {
        int d = dims.dModel();
        int h0 = dims.featureSize(0);
        int h1 = dims.featureSize(1);
        int h2 = dims.featureSize(2);
        return List.of(spec("fused_features", FLOAT32, "B", h2 * h2, d), spec("fpn_feat_0", FLOAT32, "B", d, h0, h0),
                spec("fpn_feat_1", FLOAT32, "B", d, h1, h1), spec("fpn_pos_2", FLOAT32, "B", d, h2, h2),
                spec("prompt_features", FLOAT32, "B", "P", d), spec("prompt_mask", FLOAT32, "B", "P"));
    }

    @Override
    List<TensorSpec> outputs() {
        int q = dims.queries();
        int h0 = dims.featureSize(0);
        return List.of(spec("pred_masks", FLOAT32, "B", q, h0, h0), spec("pred_boxes", FLOAT32, "B", q, 4),
                spec("pred_logits", FLOAT32, "B", q), spec("presence_logits", FLOAT32, "B", 1));
    }

    @Override
    Map<String, Output> run(WorkerPool pool, Element in, StageSignature check) {
        int d = dims.dModel();
        int q = dims.queries();
        int h0 = dims.featureSize(0);
        int h1 = dims.featureSize(1);
        int h2 = dims.featureSize(2);
        int t2 = h2 * h2;
        int p = in.dim("prompt_mask", 1);
        if (p == 0) {
            throw check.inputError("prompt_features", "has no prompt tokens (P = 0); every prompt needs at least one");
        }
        float[] fused = in.floats("fused_features");
        float[] pos = Ops.mapToTokens(in.floats("fpn_pos_2"), 0, d, t2);
        float[] prompt = in.floats("prompt_features");
        float[] promptMask = in.floats("prompt_mask");
        float[] mkey = Ops.add(fused, pos);

        int nt = q + 1;
        float[] t = boxRef == null ? tokens0.clone() : concat(fused, tokens0);
        float[] positions = boxRef == null ? tokenPos : concat(pos, tokenPos);
        for (Layer layer : layers) {
            float[] h = layer.norm1().apply(pool, t, nt);
            float[] hp = Ops.add(h, positions);
            layer.self().addTo(pool, hp, nt, hp, h, nt, null, false, t);
            hp = Ops.add(layer.norm2().apply(pool, t, nt), positions);
            layer.image().addTo(pool, hp, nt, mkey, fused, t2, null, false, t);
            hp = Ops.add(layer.norm3().apply(pool, t, nt), positions);
            layer.prompt().addTo(pool, hp, nt, prompt, prompt, p, promptMask, false, t);
            float[] f = layer.fc1().applyGelu(pool, layer.norm4().apply(pool, t, nt), nt);
            layer.fc2().addTo(pool, f, nt, t);
        }
        t = norm.apply(pool, t, nt);
        float[] queries = Arrays.copyOf(t, q * d);
        float[] presenceToken = Arrays.copyOfRange(t, q * d, nt * d);

        float[] boxes = mlp3(pool, boxHead, queries, q);
        for (int i = 0; i < boxes.length; i++) {
            boxes[i] = Activations.sigmoid(boxRef == null ? boxes[i] : boxes[i] + boxRef[i]);
        }
        float[] logits = matchLogits(pool, queries, prompt, promptMask, p);
        float[] presence = presenceHead.apply(pool, presenceToken, 1);

        float[] masks = masks(pool, in, fused, queries);
        return outputs("pred_masks", new Output(masks, q, h0, h0), "pred_boxes", new Output(boxes, q, 4),
                "pred_logits", new Output(logits, q), "presence_logits", new Output(presence, 1));
    }

    /** MLP3: Linear, GELU, Linear, GELU, Linear. */
    private static float[] mlp3(WorkerPool pool, Linear[] mlp, float[] x, int rows) {
        float[] h = mlp[0].applyGelu(pool, x, rows);
        h = mlp[1].applyGelu(pool, h, rows);
        return mlp[2].apply(pool, h, rows);
    }

    /** (score_query_proj(q) · score_prompt_proj(mean of valid prompt tokens)) / √D + score_bias. */
    private float[] matchLogits(WorkerPool pool, float[] queries, float[] prompt, float[] promptMask, int p) {
        int d = dims.dModel();
        int q = dims.queries();
        float[] summary = Ops.promptSummary(prompt, promptMask, p, d);
        float[] sp = scorePrompt.apply(pool, summary, 1);
        float[] sq = scoreQuery.apply(pool, queries, q);
        float[] logits = new float[q];
        double scale = 1.0 / Math.sqrt(d);
        for (int j = 0; j < q; j++) {
            double dot = 0;
            for (int c = 0; c < d; c++) {
                dot += (double) sq[j * d + c] * sp[c];
            }
            logits[j] = (float) (dot * scale + scoreBias);
        }
        return logits;
    }

    /** The pixel decoder at strides 8 and 4, then mask_embed(q) · pixel embedding. */
    private float[] masks(WorkerPool pool, Element in, float[] fused, float[] queries) {
        int d = dims.dModel();
        int q = dims.queries();
        int h0 = dims.featureSize(0);
        int h1 = dims.featureSize(1);
        int h2 = dims.featureSize(2);
        float[] fmap = Ops.tokensToMap(fused, 0, h2 * h2, d);
        float[] a = Ops.up2Add(pool, fmap, d, h2, h2, in.floats("fpn_feat_1"), 0);
        a = pixelConv1.apply(pool, a, 0, h1, h1, false);
        Ops.layerNorm2d(pool, a, d, h1 * h1, pixelNorm1.gamma(), pixelNorm1.beta(), pixelNorm1.eps(), true);
        float[] b = Ops.up2Add(pool, a, d, h1, h1, in.floats("fpn_feat_0"), 0);
        float[] pix = pixelConv0.apply(pool, b, 0, h0, h0, false);
        float[] e = mlp3(pool, maskEmbed, queries, q);
        // pred_masks [Q, h0²] = e [Q, D] · pix [D, h0²]
        int pixels = h0 * h0;
        float[] masks = new float[q * pixels];
        Sgemm.Epilogue store = new Sgemm.Epilogue() {
            @Override
            public void init(float[][] acc, int r0, int m, int jb, int j0, int nc) {
                for (int i = 0; i < m; i++) {
                    Arrays.fill(acc[i], 0, nc, 0f);
                }
            }

            @Override
            public void store(float[][] acc, int r0, int m, int jb, int j0, int nc) {
                for (int i = 0; i < m; i++) {
                    System.arraycopy(acc[i], 0, masks, (r0 + i) * pixels + j0, nc);
                }
            }
        };
        Sgemm.multiply(pool, e, 0, q, d, pixels, Sgemm.rowMajor(pix, 0, pixels), store,
                Sgemm.rowsPerTile(q, pixels, pool.parallelism(), q));
        return masks;
    }
}

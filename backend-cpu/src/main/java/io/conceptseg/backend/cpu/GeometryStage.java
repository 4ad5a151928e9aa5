package io.conceptseg.backend.cpu;

import static io.conceptseg.api.backend.DType.FLOAT32;
import static io.conceptseg.api.backend.DType.INT64;

import io.conceptseg.api.model.TensorSpec;
import java.util.List;
import java.util.Map;

/**
 * Stage {@code geometry}: input_boxes [N, 4] (cx, cy, w, h), input_labels [N], fpn_feat_1 → one
 * token per box or point: its coordinates projected, plus its label's embedding, plus the projected
 * mean of k×k bilinear samples of fpn_feat_1 inside the box, layer-normed; padding entries
 * (label −1) give zero rows and mask 0.
 */
final class GeometryStage extends ModelStage {
    private final Dims dims;
    private final Linear boxProj;
    private final float[] labelEmbed;
    private final Linear poolProj;
    private final WeightFile.Norm norm;

    GeometryStage(Dims dims, WeightFile w) {
        this.dims = dims;
        int d = dims.dModel();
        boxProj = w.linear("geometry.box_proj", d, 4);
        labelEmbed = w.get("geometry.label_embed.weight", 4, d);
        poolProj = w.linear("geometry.pool_proj", d, d);
        norm = w.norm("geometry.norm", d, dims.eps());
    }

    @Override
    String name() {
        return "geometry";
    }

    @Override
    List<TensorSpec> inputs() {
        int h = dims.featureSize(1);
        return List.of(spec("input_boxes", FLOAT32, "B", "N", 4), spec("input_labels", INT64, "B", "N"),
                spec("fpn_feat_1", FLOAT32, "B", dims.dModel(), h, h));
    }

    @Override
    List<TensorSpec> outputs() {
        return List.of(spec("geometry_features", FLOAT32, "B", "N", dims.dModel()), spec("geometry_mask", FLOAT32, "B", "N"));
    }

    @Override
    Map<String, Output> run(WorkerPool pool, Element in, StageSignature check) {
        int d = dims.dModel();
        int n = in.dim("input_labels", 1);
        int hf = dims.featureSize(1);
        int k = dims.geometryPool();
        float[] boxes = in.floats("input_boxes");
        long[] labels = in.longs("input_labels");
        float[] fmap = in.floats("fpn_feat_1");
        float[] pooled = new float[n * d];
        float[] mask = new float[n];
        float[] embed = new float[n * d];
        double[] t = new double[k];
        for (int i = 0; i < k; i++) {
            t[i] = (i + 0.5) / k - 0.5;
        }
        for (int e = 0; e < n; e++) {
            long label = labels[e];
            if (label < -1 || label > 3) {
                throw check.inputError("input_labels", "label " + label + " at [" + in.index() + ", " + e
                        + "] is not one of -1 (padding), 0 (negative box), 1 (positive box), 2 (negative point), 3 (positive point)");
            }
            mask[e] = label >= 0 ? 1f : 0f;
            System.arraycopy(labelEmbed, (int) Math.max(label, 0) * d, embed, e * d, d);
            float cx = boxes[e * 4];
            float cy = boxes[e * 4 + 1];
            float bw = boxes[e * 4 + 2];
            float bh = boxes[e * 4 + 3];
            double[] acc = new double[d];
            double weight = 1.0 / (k * k);
            for (int r = 0; r < k; r++) {
                for (int c = 0; c < k; c++) {
                    double px = cx + bw * t[c];
                    double py = cy + bh * t[r];
                    Ops.bilinearAdd(fmap, 0, d, hf, hf, 2 * px - 1, 2 * py - 1, weight, acc);
                }
            }
            for (int c = 0; c < d; c++) {
                pooled[e * d + c] = (float) acc[c];
            }
        }
        float[] x = boxProj.apply(pool, boxes, n);
        poolProj.addTo(pool, pooled, n, x);
        for (int i = 0; i < x.length; i++) {
            x[i] += embed[i];
        }
        float[] y = norm.apply(pool, x, n);
        for (int e = 0; e < n; e++) {
            for (int c = 0; c < d; c++) {
                y[e * d + c] *= mask[e];
            }
        }
        return outputs("geometry_features", new Output(y, n, d), "geometry_mask", new Output(mask, n));
    }
}

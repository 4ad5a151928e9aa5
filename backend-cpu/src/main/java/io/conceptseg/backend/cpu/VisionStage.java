package io.conceptseg.backend.cpu;

import static io.conceptseg.api.backend.DType.FLOAT32;

import io.conceptseg.api.model.TensorSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage {@code vision}: images [3, S, S] → fpn_feat_{0,1,2} [D, h_i, h_i] and fpn_pos_{0,1,2}
 * (stored constants). A stride-2 stem, three stages of (stride-2 conv, conv), each with a 1x1
 * lateral to D and a LayerNorm2d; GELU after every 3x3 conv.
 */
final class VisionStage extends ModelStage {
    private final Dims dims;
    private final Conv2d stem;
    private final Conv2d[] conv1 = new Conv2d[3];
    private final Conv2d[] conv2 = new Conv2d[3];
    private final Conv2d[] laterals = new Conv2d[3];
    private final WeightFile.Norm[] norms = new WeightFile.Norm[3];
    private final float[][] pos = new float[3][];

    VisionStage(Dims dims, WeightFile w) {
        this.dims = dims;
        int[] wd = dims.visionWidths();
        int d = dims.dModel();
        stem = w.conv("vision.stem", wd[0], 3, 3, 2);
        for (int i = 0; i < 3; i++) {
            conv1[i] = w.conv("vision.stages." + i + ".conv1", wd[i + 1], wd[i], 3, 2);
            conv2[i] = w.conv("vision.stages." + i + ".conv2", wd[i + 1], wd[i + 1], 3, 1);
            laterals[i] = w.conv("vision.laterals." + i, d, wd[i + 1], 1, 1);
            norms[i] = w.norm("vision.lateral_norms." + i, d, dims.eps());
            int h = dims.featureSize(i);
            pos[i] = w.get("vision.pos_" + i, 1, d, h, h);
        }
    }

    @Override
    String name() {
        return "vision";
    }

    @Override
    List<TensorSpec> inputs() {
        int s = dims.imageSize();
        return List.of(spec("images", FLOAT32, "B", 3, s, s));
    }

    @Override
    List<TensorSpec> outputs() {
        List<TensorSpec> out = new ArrayList<>();
        for (String kind : List.of("fpn_feat_", "fpn_pos_")) {
            for (int i = 0; i < 3; i++) {
                int h = dims.featureSize(i);
                out.add(spec(kind + i, FLOAT32, "B", dims.dModel(), h, h));
            }
        }
        return out;
    }

    @Override
    Map<String, Output> run(WorkerPool pool, Element in, StageSignature check) {
        int s = dims.imageSize();
        int d = dims.dModel();
        float[] x = stem.apply(pool, in.floats("images"), 0, s, s, true);
        int side = stem.outSize(s);
        Map<String, Output> out = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            x = conv1[i].apply(pool, x, 0, side, side, true);
            side = conv1[i].outSize(side);
            x = conv2[i].apply(pool, x, 0, side, side, true);
            float[] f = laterals[i].apply(pool, x, 0, side, side, false);
            WeightFile.Norm n = norms[i];
            Ops.layerNorm2d(pool, f, d, side * side, n.gamma(), n.beta(), n.eps(), false);
            out.put("fpn_feat_" + i, new Output(f, d, side, side));
        }
        for (int i = 0; i < 3; i++) {
            int h = dims.featureSize(i);
            out.put("fpn_pos_" + i, new Output(pos[i].clone(), d, h, h));
        }
        return out;
    }
}

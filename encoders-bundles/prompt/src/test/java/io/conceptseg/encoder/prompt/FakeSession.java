package io.conceptseg.encoder.prompt;

import io.conceptseg.api.backend.DType;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelDescriptor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.model.StageSpec;
import io.conceptseg.api.model.TensorSpec;
import io.conceptseg.commons.testing.FakePackage;
import io.conceptseg.commons.testing.FunctionSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A session whose geometry stage is a function; it records every run's inputs. By default a
 * geometry token is [100 + label, cx, cy, w, h] (D = 5), zero with mask 0 for padding.
 */
final class FakeSession extends FunctionSession {
    static final int D = 5;

    final List<Map<String, Tensor>> runs = new ArrayList<>();
    private final Function<Map<String, Tensor>, Map<String, Tensor>> geometry;

    FakeSession(ModelPackage model, Function<Map<String, Tensor>, Map<String, Tensor>> geometry) {
        super(model, "fake");
        this.geometry = geometry;
    }

    FakeSession(boolean withGeometryStage) {
        this(model(withGeometryStage), FakeSession::labelledBoxes);
    }

    static ModelPackage model(boolean withGeometryStage) {
        Map<String, StageSpec> stages = new LinkedHashMap<>();
        stages.put("vision", new StageSpec("vision", Map.of(),
                List.of(new TensorSpec("images", DType.FLOAT32, List.of("B", "3", "128", "128"))),
                List.of(new TensorSpec("fpn_feat_1", DType.FLOAT32, List.of("B", "2", "2", "2")))));
        if (withGeometryStage) {
            stages.put("geometry", new StageSpec("geometry", Map.of(),
                    List.of(new TensorSpec("input_boxes", DType.FLOAT32, List.of("B", "N", "4")),
                            new TensorSpec("input_labels", DType.INT64, List.of("B", "N")),
                            new TensorSpec("fpn_feat_1", DType.FLOAT32, List.of("B", "2", "2", "2"))),
                    List.of(new TensorSpec("geometry_features", DType.FLOAT32, List.of("B", "N", "5")),
                            new TensorSpec("geometry_mask", DType.FLOAT32, List.of("B", "N")))));
        }
        ModelDescriptor d = new ModelDescriptor(1, "fake", "test", "", new ModelDescriptor.ImageSpec(128,
                List.of(0.0, 0.0, 0.0), List.of(1.0, 1.0, 1.0)),
                new ModelDescriptor.TextSpec("wordpiece", "vocab.txt", 6, Map.of()), Map.of("d_model", (double) D),
                new ModelDescriptor.Thresholds(0.5, 0.0), "w.safetensors", "float32", Map.of(), stages);
        return new FakePackage(Path.of("fake"), d);
    }

    static Map<String, Tensor> labelledBoxes(Map<String, Tensor> in) {
        Tensor boxes = in.get("input_boxes");
        Tensor labels = in.get("input_labels");
        int g = (int) labels.dim(0);
        int n = (int) labels.dim(1);
        float[] f = new float[g * n * D];
        float[] m = new float[g * n];
        for (int i = 0; i < g * n; i++) {
            long label = labels.longs()[i];
            if (label >= 0) {
                f[i * D] = 100 + label;
                System.arraycopy(boxes.floats(), i * 4, f, i * D + 1, 4);
                m[i] = 1;
            }
        }
        return Map.of("geometry_features", Tensor.ofFloats(f, g, n, D), "geometry_mask", Tensor.ofFloats(m, g, n));
    }

    @Override
    protected Map<String, Tensor> run(String stage, Map<String, Tensor> inputs) {
        runs.add(inputs);
        return geometry.apply(inputs);
    }
}

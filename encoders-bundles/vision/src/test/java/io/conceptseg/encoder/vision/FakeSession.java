package io.conceptseg.encoder.vision;

import io.conceptseg.api.backend.DType;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelDescriptor;
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

/** A session over a hand-made descriptor whose vision stage is a function, recording its inputs. */
final class FakeSession extends FunctionSession {
    final List<Map<String, Tensor>> calls = new ArrayList<>();
    private final Function<Map<String, Tensor>, Map<String, Tensor>> vision;

    FakeSession(int side, List<Double> mean, List<Double> std, Function<Map<String, Tensor>, Map<String, Tensor>> vision) {
        super(new FakePackage(Path.of("fake"), descriptor(side, mean, std)), "fake");
        this.vision = vision;
    }

    private static ModelDescriptor descriptor(int side, List<Double> mean, List<Double> std) {
        String s = Integer.toString(side);
        StageSpec stage = new StageSpec("vision", Map.of(),
                List.of(new TensorSpec("images", DType.FLOAT32, List.of("B", "3", s, s))),
                List.of(new TensorSpec("fpn_feat_0", DType.FLOAT32, List.of("B", "4", "2", "2"))));
        Map<String, StageSpec> stages = new LinkedHashMap<>();
        stages.put("vision", stage);
        return new ModelDescriptor(1, "fake", "test", "", new ModelDescriptor.ImageSpec(side, mean, std),
                new ModelDescriptor.TextSpec("wordpiece", "vocab.txt", 4, Map.of()), Map.of("d_model", 4.0),
                new ModelDescriptor.Thresholds(0.5, 0.0), "w.safetensors", "float32", Map.of(), stages);
    }

    @Override
    protected Map<String, Tensor> run(String stage, Map<String, Tensor> inputs) {
        calls.add(inputs);
        return vision.apply(inputs);
    }
}

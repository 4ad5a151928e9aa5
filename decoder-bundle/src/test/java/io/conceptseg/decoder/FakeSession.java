package io.conceptseg.decoder;

import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.DType;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelDescriptor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.model.StageSpec;
import io.conceptseg.api.model.TensorSpec;
import io.conceptseg.api.stage.ModelSession;
import io.conceptseg.commons.testing.FakePackage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** A model session over hand-made stage runners that record what they were given. */
final class FakeSession implements ModelSession {
    private final ModelPackage model;
    private final Map<String, FakeRunner> runners = new LinkedHashMap<>();

    private FakeSession(ModelPackage model) {
        this.model = model;
    }

    /** A session over a made-up model without stages; add them with {@link #stage}. */
    static FakeSession create(int side) {
        return create(side, new ModelDescriptor.Thresholds(0.5, 0.0));
    }

    /** A session over a made-up model with these default thresholds. */
    static FakeSession create(int side, ModelDescriptor.Thresholds thresholds) {
        ModelDescriptor descriptor = descriptor(side, thresholds, new LinkedHashMap<>());
        return new FakeSession(new FakePackage(Path.of("/nonexistent/fake"), descriptor));
    }

    /** A session over a real package whose stages are run by {@link #runner} bodies. */
    static FakeSession over(ModelPackage model) {
        return new FakeSession(model);
    }

    private static ModelDescriptor descriptor(int side, ModelDescriptor.Thresholds thresholds, Map<String, StageSpec> stages) {
        return new ModelDescriptor(1, "fake", "conceptseg-sam3-mini", "test double",
                new ModelDescriptor.ImageSpec(side, List.of(0.5, 0.5, 0.5), List.of(0.25, 0.25, 0.25)),
                new ModelDescriptor.TextSpec("wordpiece", "tokenizer/vocab.txt", 8, Map.of()),
                Map.of("d_model", 4.0, "queries", 4.0), thresholds,
                "weights.safetensors", "float32", Map.of(), stages);
    }

    /** Declares a stage with float inputs and outputs of those names, run by {@code body}. */
    FakeSession stage(String name, List<String> inputs, List<String> outputs, Function<Map<String, Tensor>, Map<String, Tensor>> body) {
        model.descriptor().stages().put(name, new StageSpec(name, Map.of(), specs(inputs), specs(outputs)));
        return runner(name, body);
    }

    /** Runs a stage the model declares with {@code body}. */
    FakeSession runner(String name, Function<Map<String, Tensor>, Map<String, Tensor>> body) {
        runners.put(name, new FakeRunner(name, body));
        return this;
    }

    private static List<TensorSpec> specs(List<String> names) {
        return names.stream().map(n -> new TensorSpec(n, DType.FLOAT32, List.of("B"))).toList();
    }

    /** The runner of a stage, to look at its calls. */
    FakeRunner fake(String stage) { return runners.get(stage); }

    @Override
    public ModelPackage model() { return model; }

    @Override
    public String backendId() { return "fake"; }

    @Override
    public boolean hasStage(String stage) { return runners.containsKey(stage); }

    @Override
    public StageRunner runner(String stage) {
        FakeRunner r = runners.get(stage);
        if (r == null) {
            throw new ModelPackageException("fake/" + stage, "no such stage");
        }
        return r;
    }

    /** A runner that records its inputs and answers with {@code body}. */
    static final class FakeRunner implements StageRunner {
        private final String stage;
        private final Function<Map<String, Tensor>, Map<String, Tensor>> body;
        final List<Map<String, Tensor>> calls = new ArrayList<>();

        FakeRunner(String stage, Function<Map<String, Tensor>, Map<String, Tensor>> body) {
            this.stage = stage;
            this.body = body;
        }

        @Override
        public String stage() { return stage; }

        @Override
        public String backendId() { return "fake"; }

        @Override
        public Map<String, Tensor> run(Map<String, Tensor> inputs) {
            calls.add(Map.copyOf(inputs));
            return body.apply(inputs);
        }

        @Override
        public void close() { }
    }
}

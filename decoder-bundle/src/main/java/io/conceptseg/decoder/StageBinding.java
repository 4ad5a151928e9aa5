package io.conceptseg.decoder;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.StageSpec;
import io.conceptseg.api.model.TensorSpec;
import io.conceptseg.api.stage.ModelSession;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Binds a stage's inputs by the names of its model.json signature, from the tensors earlier stages
 * made, and checks its outputs. Image tensors have batch 1 (one image shared by every prompt) and
 * are repeated to the prompt batch; tensors that already have the prompt batch are used as they are.
 */
final class StageBinding {
    private StageBinding() { }

    /** The spec of a stage the session runs, from model.json. */
    static StageSpec spec(ModelSession session, String stage) {
        StageSpec spec = session.model().descriptor().stage(stage);
        if (spec == null) {
            throw new ModelPackageException(session.model().id() + "/model.json",
                    "declares no stage '" + stage + "', so its inputs and outputs are unknown");
        }
        return spec;
    }

    /**
     * The inputs of {@code spec}, each taken from the first source that holds its name.
     *
     * @param batch the prompt batch B
     * @param sources tensors by name, searched in order
     * @throws ModelPackageException naming the input when no source holds it
     * @throws ConceptSegException naming the input when its batch is neither 1 nor B
     */
    static Map<String, Tensor> inputs(ModelSession session, StageSpec spec, int batch, List<Map<String, Tensor>> sources) {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        for (TensorSpec in : spec.inputs()) {
            Tensor t = find(in.name(), sources);
            if (t == null) {
                TreeSet<String> available = new TreeSet<>();
                sources.forEach(s -> available.addAll(s.keySet()));
                throw new ModelPackageException(session.model().id() + "/" + spec.name(),
                        "input '" + in.name() + "' is made by no earlier stage (available: " + available + ")");
            }
            inputs.put(in.name(), toBatch(spec.name(), in.name(), t, batch));
        }
        return inputs;
    }

    /**
     * The output {@code name} of a stage's result.
     *
     * @throws ConceptSegException naming the stage and the output when it is missing
     */
    static Tensor output(ModelSession session, String stage, Map<String, Tensor> outputs, String name) {
        Tensor t = outputs == null ? null : outputs.get(name);
        if (t == null) {
            throw new ConceptSegException("stage " + stage + " on backend " + session.backendId(),
                    "returned no output '" + name + "' (got " + (outputs == null ? "nothing" : new TreeSet<>(outputs.keySet())) + ")");
        }
        return t;
    }

    private static Tensor find(String name, List<Map<String, Tensor>> sources) {
        for (Map<String, Tensor> source : sources) {
            Tensor t = source.get(name);
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    private static Tensor toBatch(String stage, String name, Tensor t, int batch) {
        if (t.rank() == 0) {
            throw new ConceptSegException("stage " + stage + " input " + name, "is a scalar; every stage tensor has a batch axis");
        }
        if (t.dim(0) == batch) {
            return t;
        }
        if (t.dim(0) == 1) {
            return t.repeatBatch(batch);
        }
        throw new ConceptSegException("stage " + stage + " input " + name,
                "has batch " + t.dim(0) + ", but the prompt batch is " + batch + " (and an image tensor has batch 1)");
    }
}

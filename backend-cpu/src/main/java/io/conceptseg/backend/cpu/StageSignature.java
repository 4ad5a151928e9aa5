package io.conceptseg.backend.cpu;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.StageSpec;
import io.conceptseg.api.model.TensorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A stage's signature: model.json's, checked once at load against what the Java implementation of
 * the architecture computes (so a package whose model.json disagrees with its dims fails when it is
 * loaded, naming the tensor), and then used on every run to check the caller's tensors with the
 * checks every backend shares (one message naming the stage and the tensor).
 */
final class StageSignature {
    private final StageSpec spec;
    // the run-time checks shared with the other backends, on model.json's inputs with the axes the
    // architecture fixes filled in
    private final io.conceptseg.commons.model.StageSignature checks;

    private StageSignature(StageSpec spec, List<TensorSpec> inputs) {
        this.spec = spec;
        this.checks = new io.conceptseg.commons.model.StageSignature(
                new StageSpec(spec.name(), spec.files(), inputs, spec.outputs()), "the cpu backend");
    }

    StageSpec spec() {
        return spec;
    }

    /**
     * Checks model.json's signature of a stage against the architecture's: the same input names
     * (no more, no fewer), outputs the implementation produces, and the same dtypes, ranks and fixed
     * sizes (a symbolic axis in model.json is allowed where the architecture fixes the size; the run
     * check then enforces the architecture's size).
     *
     * @throws ModelPackageException naming model.json, the stage and the first tensor that disagrees
     */
    static StageSignature check(Path modelJson, StageSpec spec, List<TensorSpec> archInputs, List<TensorSpec> archOutputs) {
        Map<String, TensorSpec> ins = byName(archInputs);
        Map<String, TensorSpec> outs = byName(archOutputs);
        List<TensorSpec> effective = new ArrayList<>();
        for (TensorSpec t : spec.inputs()) {
            TensorSpec a = ins.get(t.name());
            if (a == null) {
                throw mismatch(modelJson, spec, "input '" + t.name() + "' is not an input of the " + Dims.ARCHITECTURE
                        + " " + spec.name() + " stage (its inputs: " + ins.keySet() + ")");
            }
            effective.add(merge(modelJson, spec, "input", t, a));
        }
        for (String name : ins.keySet()) {
            if (spec.inputs().stream().noneMatch(t -> t.name().equals(name))) {
                throw mismatch(modelJson, spec, "does not declare input '" + name + "', which the " + Dims.ARCHITECTURE + " "
                        + spec.name() + " stage needs");
            }
        }
        for (TensorSpec t : spec.outputs()) {
            TensorSpec a = outs.get(t.name());
            if (a == null) {
                throw mismatch(modelJson, spec, "output '" + t.name() + "' is not an output of the " + Dims.ARCHITECTURE
                        + " " + spec.name() + " stage (its outputs: " + outs.keySet() + ")");
            }
            merge(modelJson, spec, "output", t, a);
        }
        return new StageSignature(spec, List.copyOf(effective));
    }

    private static TensorSpec merge(Path modelJson, StageSpec spec, String role, TensorSpec declared, TensorSpec arch) {
        if (declared.dtype() != arch.dtype() || declared.shape().size() != arch.shape().size()) {
            throw mismatch(modelJson, spec, role + " '" + declared.name() + "' is " + describe(declared) + ", the architecture's is "
                    + describe(arch) + " for these dims");
        }
        List<String> shape = new ArrayList<>(declared.shape());
        for (int i = 0; i < shape.size(); i++) {
            if (arch.isFixed(i)) {
                if (declared.isFixed(i) && declared.fixed(i) != arch.fixed(i)) {
                    throw mismatch(modelJson, spec, role + " '" + declared.name() + "' axis " + i + " is " + declared.fixed(i)
                            + ", the architecture's is " + arch.fixed(i) + " for these dims (" + describe(arch) + ")");
                }
                shape.set(i, arch.shape().get(i));
            }
        }
        return new TensorSpec(declared.name(), declared.dtype(), shape);
    }

    private static ModelPackageException mismatch(Path modelJson, StageSpec spec, String problem) {
        return new ModelPackageException(modelJson.toString(), "stage '" + spec.name() + "': " + problem);
    }

    private static Map<String, TensorSpec> byName(List<TensorSpec> specs) {
        Map<String, TensorSpec> m = new java.util.LinkedHashMap<>();
        specs.forEach(t -> m.put(t.name(), t));
        return m;
    }

    /**
     * Checks the caller's inputs as every backend does (commons' StageSignature: each declared input
     * present, with its element type, rank and fixed sizes — here including the sizes the
     * architecture fixes — and symbolic axes equal across inputs). Tensors the stage does not
     * declare are ignored.
     *
     * @throws ConceptSegException naming the stage and the tensor
     */
    void checkInputs(Map<String, Tensor> given) {
        checks.checkInputs(given);
    }

    /** The error for a bad value inside an input tensor. */
    ConceptSegException inputError(String tensor, String problem) {
        return new ConceptSegException(checks.where("input", tensor), problem);
    }

    private static String describe(TensorSpec t) {
        return t.dtype().spelling() + " " + t.shape();
    }
}

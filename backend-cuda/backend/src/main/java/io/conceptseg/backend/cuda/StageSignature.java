package io.conceptseg.backend.cuda;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.StageSpec;
import io.conceptseg.api.model.TensorSpec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A stage's signature from model.json, checked on every run against the caller's tensors (so that
 * a bad tensor fails with a message naming the stage and the tensor, not with a libtorch error deep
 * in the graph) and against what the module returned. A traced TorchScript module has no input
 * names: it takes its inputs positionally, in the order of the signature (the exporter traced each
 * stage with its inputs in model.json order), and returns its outputs in that order too.
 */
final class StageSignature {
    private final StageSpec spec;

    StageSignature(StageSpec spec) {
        this.spec = spec;
    }

    StageSpec spec() {
        return spec;
    }

    /**
     * Checks the caller's inputs: each declared input present, with its element type, rank and fixed
     * sizes, and symbolic axes of the same name ("B", "P") equal across inputs. Tensors the stage
     * does not declare are ignored (callers may pass everything they hold).
     *
     * @throws ConceptSegException naming the stage and the tensor
     */
    void checkInputs(Map<String, Tensor> inputs) {
        Map<String, Long> symbols = new HashMap<>();
        Map<String, String> symbolSource = new HashMap<>();
        for (TensorSpec t : spec.inputs()) {
            Tensor x = inputs.get(t.name());
            if (x == null) {
                throw inputError(t.name(), "missing (stage '" + spec.name() + "' needs " + names(spec.inputs()) + ", got "
                        + new TreeSet<>(inputs.keySet()) + ")");
            }
            if (x.dtype() != t.dtype() || x.rank() != t.shape().size()) {
                throw inputError(t.name(), "expected " + describe(t) + ", got " + describe(x));
            }
            for (int i = 0; i < x.rank(); i++) {
                long size = x.dim(i);
                if (t.isFixed(i)) {
                    if (size != t.fixed(i)) {
                        throw inputError(t.name(), "axis " + i + " must be " + t.fixed(i) + ": expected " + describe(t)
                                + ", got " + describe(x));
                    }
                    continue;
                }
                String symbol = t.shape().get(i);
                Long seen = symbols.putIfAbsent(symbol, size);
                if (seen == null) {
                    symbolSource.put(symbol, t.name());
                } else if (seen != size) {
                    throw inputError(t.name(), "axis " + i + " is " + symbol + " = " + size + ", but input '"
                            + symbolSource.get(symbol) + "' has " + symbol + " = " + seen);
                }
            }
        }
    }

    /**
     * Checks an output the module produced against model.json (a module whose real shapes differ
     * from the declared ones would otherwise surface far downstream).
     *
     * @throws ConceptSegException naming the stage and the output
     */
    void checkOutput(TensorSpec t, Tensor y) {
        boolean fits = y.dtype() == t.dtype() && y.rank() == t.shape().size();
        for (int i = 0; fits && i < y.rank(); i++) {
            fits = !t.isFixed(i) || y.dim(i) == t.fixed(i);
        }
        if (!fits) {
            throw new ConceptSegException(where("output", t.name()), "the TorchScript module produced " + describe(y)
                    + ", model.json declares " + describe(t));
        }
    }

    private ConceptSegException inputError(String tensor, String problem) {
        return new ConceptSegException(where("input", tensor), problem);
    }

    /** How messages name a tensor of this stage. */
    String where(String role, String tensor) {
        return "stage '" + spec.name() + "' " + role + " '" + tensor + "'";
    }

    private static List<String> names(List<TensorSpec> specs) {
        return specs.stream().map(TensorSpec::name).toList();
    }

    static String describe(TensorSpec t) {
        return t.dtype().spelling() + " " + t.shape();
    }

    static String describe(Tensor x) {
        return x.dtype().spelling() + " " + Arrays.toString(x.shape());
    }
}

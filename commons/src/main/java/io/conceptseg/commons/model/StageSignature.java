package io.conceptseg.commons.model;

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
 * A stage's signature from model.json, as every backend checks it: the caller's inputs before a
 * run, the produced outputs after, with messages that name the stage and the tensor.
 */
public class StageSignature {
    private final StageSpec spec;
    private final String producer;

    /**
     * @param spec the stage
     * @param producer what produces the outputs, for messages ("ONNX Runtime", "the TorchScript module")
     */
    public StageSignature(StageSpec spec, String producer) {
        this.spec = spec;
        this.producer = producer;
    }

    /** The stage. */
    public StageSpec spec() {
        return spec;
    }

    /**
     * Checks the caller's inputs: each declared input present, with its element type, rank and fixed
     * sizes, and symbolic axes of the same name ("B", "P") equal across inputs. Tensors the stage
     * does not declare are ignored (callers may pass everything they hold).
     *
     * @throws ConceptSegException naming the stage and the tensor (the stage alone when {@code inputs} is null)
     */
    public void checkInputs(Map<String, Tensor> inputs) {
        if (inputs == null) {
            throw new ConceptSegException("stage '" + spec.name() + "'", "inputs are null");
        }
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
     * Checks a produced output against model.json (a stage whose real shapes differ from the
     * declared ones would otherwise surface far downstream).
     *
     * @throws ConceptSegException naming the stage and the output
     */
    public void checkOutput(TensorSpec t, Tensor y) {
        boolean fits = y.dtype() == t.dtype() && y.rank() == t.shape().size();
        for (int i = 0; fits && i < y.rank(); i++) {
            fits = !t.isFixed(i) || y.dim(i) == t.fixed(i);
        }
        if (!fits) {
            throw new ConceptSegException(where("output", t.name()), producer + " produced " + describe(y)
                    + ", model.json declares " + describe(t));
        }
    }

    private ConceptSegException inputError(String tensor, String problem) {
        return new ConceptSegException(where("input", tensor), problem);
    }

    /** How messages name a tensor of this stage. */
    public String where(String role, String tensor) {
        return "stage '" + spec.name() + "' " + role + " '" + tensor + "'";
    }

    /** The names of tensor specs. */
    public static List<String> names(List<TensorSpec> specs) {
        return specs.stream().map(TensorSpec::name).toList();
    }

    /** "float32 [B, 3, 128, 128]". */
    public static String describe(TensorSpec t) {
        return t.dtype().spelling() + " " + t.shape();
    }

    /** "float32 [1, 3, 128, 128]". */
    public static String describe(Tensor x) {
        return x.dtype().spelling() + " " + Arrays.toString(x.shape());
    }
}

package io.conceptseg.backend.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;
import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.DType;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.StageSpec;
import io.conceptseg.api.model.TensorSpec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A stage's signature from model.json, checked twice: once at load against the ONNX graph (so that
 * a package whose model.json and graph disagree fails when it is loaded, naming the tensor), and on
 * every run against the caller's tensors (so that a bad tensor fails with a message naming the
 * stage and the tensor, not with an ORT error deep in the graph).
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
     * Checks that the graph has exactly the inputs model.json declares, and every output it declares,
     * with the same element types, ranks and fixed sizes.
     *
     * @throws ModelPackageException naming the file, the stage and the first tensor that disagrees
     */
    void checkGraph(Path file, Map<String, NodeInfo> graphInputs, Map<String, NodeInfo> graphOutputs) {
        for (TensorSpec t : spec.inputs()) {
            NodeInfo node = graphInputs.get(t.name());
            if (node == null) {
                throw graphMismatch(file, "input '" + t.name() + "' of model.json is not an input of the graph (graph inputs: "
                        + new TreeSet<>(graphInputs.keySet()) + ")");
            }
            checkTensor(file, "input", t, node);
        }
        Set<String> declared = new TreeSet<>();
        spec.inputs().forEach(t -> declared.add(t.name()));
        for (String name : graphInputs.keySet()) {
            if (!declared.contains(name)) {
                throw graphMismatch(file, "the graph needs input '" + name + "', which model.json does not declare (declared: "
                        + declared + ")");
            }
        }
        for (TensorSpec t : spec.outputs()) {
            NodeInfo node = graphOutputs.get(t.name());
            if (node == null) {
                throw graphMismatch(file, "output '" + t.name() + "' of model.json is not an output of the graph (graph outputs: "
                        + new TreeSet<>(graphOutputs.keySet()) + ")");
            }
            checkTensor(file, "output", t, node);
        }
    }

    private void checkTensor(Path file, String role, TensorSpec t, NodeInfo node) {
        if (!(node.getInfo() instanceof TensorInfo info)) {
            throw graphMismatch(file, role + " '" + t.name() + "' is not a tensor in the graph (" + node.getInfo() + ")");
        }
        DType graphType = dtypeOf(info.type);
        if (graphType != t.dtype()) {
            throw graphMismatch(file, role + " '" + t.name() + "' is " + t.dtype().spelling() + " in model.json but "
                    + info.type + " in the graph");
        }
        long[] graphShape = info.getShape();
        if (graphShape.length != t.shape().size()) {
            throw graphMismatch(file, role + " '" + t.name() + "' has shape " + t.shape() + " in model.json but rank "
                    + graphShape.length + " " + Arrays.toString(graphShape) + " in the graph");
        }
        for (int i = 0; i < graphShape.length; i++) {
            // -1 marks a symbolic axis of the graph; only two fixed sizes can disagree
            if (graphShape[i] >= 0 && t.isFixed(i) && graphShape[i] != t.fixed(i)) {
                throw graphMismatch(file, role + " '" + t.name() + "' axis " + i + " is " + t.fixed(i) + " in model.json but "
                        + graphShape[i] + " in the graph");
            }
        }
    }

    private ModelPackageException graphMismatch(Path file, String problem) {
        return new ModelPackageException(file.toString(), "stage '" + spec.name() + "': " + problem);
    }

    /** The model.json element type of an ORT type, or null for any other. */
    static DType dtypeOf(OnnxJavaType type) {
        return switch (type) {
            case FLOAT -> DType.FLOAT32;
            case INT64 -> DType.INT64;
            default -> null;
        };
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
     * Checks an output ORT produced against model.json (a graph whose real shapes differ from its
     * declared ones would otherwise surface far downstream).
     *
     * @throws ConceptSegException naming the stage and the output
     */
    void checkOutput(TensorSpec t, Tensor y) {
        boolean fits = y.dtype() == t.dtype() && y.rank() == t.shape().size();
        for (int i = 0; fits && i < y.rank(); i++) {
            fits = !t.isFixed(i) || y.dim(i) == t.fixed(i);
        }
        if (!fits) {
            throw new ConceptSegException(where("output", t.name()), "ONNX Runtime produced " + describe(y)
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

    private static String describe(TensorSpec t) {
        return t.dtype().spelling() + " " + t.shape();
    }

    private static String describe(Tensor x) {
        return x.dtype().spelling() + " " + Arrays.toString(x.shape());
    }
}

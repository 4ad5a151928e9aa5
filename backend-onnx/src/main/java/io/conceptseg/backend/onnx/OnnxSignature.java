package io.conceptseg.backend.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;
import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.DType;
import io.conceptseg.api.model.StageSpec;
import io.conceptseg.api.model.TensorSpec;
import io.conceptseg.commons.model.StageSignature;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A stage's signature from model.json, checked twice: once at load against the ONNX graph (so that
 * a package whose model.json and graph disagree fails when it is loaded, naming the tensor), and on
 * every run against the caller's tensors (so that a bad tensor fails with a message naming the
 * stage and the tensor, not with an ORT error deep in the graph).
 */
final class OnnxSignature extends StageSignature {
    OnnxSignature(StageSpec spec) {
        super(spec, "ONNX Runtime");
    }

    /**
     * Checks that the graph has exactly the inputs model.json declares, and every output it declares,
     * with the same element types, ranks and fixed sizes.
     *
     * @throws ModelPackageException naming the file, the stage and the first tensor that disagrees
     */
    void checkGraph(Path file, Map<String, NodeInfo> graphInputs, Map<String, NodeInfo> graphOutputs) {
        for (TensorSpec t : spec().inputs()) {
            NodeInfo node = graphInputs.get(t.name());
            if (node == null) {
                throw graphMismatch(file, "input '" + t.name() + "' of model.json is not an input of the graph (graph inputs: "
                        + new TreeSet<>(graphInputs.keySet()) + ")");
            }
            checkTensor(file, "input", t, node);
        }
        Set<String> declared = new TreeSet<>();
        spec().inputs().forEach(t -> declared.add(t.name()));
        for (String name : graphInputs.keySet()) {
            if (!declared.contains(name)) {
                throw graphMismatch(file, "the graph needs input '" + name + "', which model.json does not declare (declared: "
                        + declared + ")");
            }
        }
        for (TensorSpec t : spec().outputs()) {
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
        return new ModelPackageException(file.toString(), "stage '" + spec().name() + "': " + problem);
    }

    /** The model.json element type of an ORT type, or null for any other. */
    static DType dtypeOf(OnnxJavaType type) {
        return switch (type) {
            case FLOAT -> DType.FLOAT32;
            case INT64 -> DType.INT64;
            default -> null;
        };
    }
}

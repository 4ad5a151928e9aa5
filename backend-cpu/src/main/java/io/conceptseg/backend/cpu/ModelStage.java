package io.conceptseg.backend.cpu;

import io.conceptseg.api.backend.DType;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.TensorSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One stage of conceptseg-sam3-mini in Java: its signature for the package's dims, and its
 * computation for one batch element (batch elements never interact). Weights are read and checked
 * when the stage is built.
 */
abstract class ModelStage {
    /** The stage name in model.json. */
    abstract String name();

    /** The architecture's inputs, with sizes fixed by the dims as numbers and free axes as symbols. */
    abstract List<TensorSpec> inputs();

    /** The architecture's outputs, likewise. */
    abstract List<TensorSpec> outputs();

    /**
     * Computes every output for batch element {@code b}.
     *
     * @param check for errors about values inside an input (an id outside the vocabulary)
     */
    abstract Map<String, Output> run(WorkerPool pool, Element in, StageSignature check);

    /** An output of one batch element: data and shape without the batch axis. */
    record Output(float[] data, long... shape) { }

    /** The inputs of one batch element. */
    static final class Element {
        private final Map<String, Tensor> inputs;
        private final int b;

        Element(Map<String, Tensor> inputs, int b) {
            this.inputs = inputs;
            this.b = b;
        }

        /** Batch index. */
        int index() {
            return b;
        }

        /** Float input {@code name}, slice b (copied). */
        float[] floats(String name) {
            return inputs.get(name).batchFloats(b);
        }

        /** Int64 input {@code name}, slice b (copied). */
        long[] longs(String name) {
            Tensor t = inputs.get(name);
            int per = t.size() / (int) t.dim(0);
            return java.util.Arrays.copyOfRange(t.longs(), b * per, (b + 1) * per);
        }

        /** Axis {@code axis} of input {@code name} (axis 0 is the batch). */
        int dim(String name, int axis) {
            return (int) inputs.get(name).dim(axis);
        }
    }

    /** A signature entry: axes are Integers (fixed) or Strings (symbols). */
    static TensorSpec spec(String name, DType dtype, Object... axes) {
        List<String> shape = new ArrayList<>();
        for (Object a : axes) {
            shape.add(String.valueOf(a));
        }
        return new TensorSpec(name, dtype, shape);
    }

    /** An ordered map of outputs. */
    static Map<String, Output> outputs(Object... nameAndOutput) {
        Map<String, Output> m = new LinkedHashMap<>();
        for (int i = 0; i < nameAndOutput.length; i += 2) {
            m.put((String) nameAndOutput[i], (Output) nameAndOutput[i + 1]);
        }
        return m;
    }
}

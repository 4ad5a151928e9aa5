package io.conceptseg.backend.cpu;

import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.TensorSpec;
import io.conceptseg.commons.backend.RunnerGate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One stage of one model on the CPU backend: the stage's weights in Java arrays and its kernels.
 * Runs may be concurrent (the stage holds no per-run state); {@link #close()} waits for runs in
 * flight, then drops the weights, and later runs fail.
 */
final class CpuStageRunner implements StageRunner {
    private final String modelId;
    private final StageSignature signature;
    private final List<TensorSpec> archOutputs;
    private final CpuBackend backend;
    private final Consumer<CpuStageRunner> onClose;
    private final RunnerGate gate;
    private ModelStage stage; // guarded by gate; null once closed

    CpuStageRunner(String modelId, StageSignature signature, ModelStage stage, CpuBackend backend,
            Consumer<CpuStageRunner> onClose) {
        this.modelId = modelId;
        this.signature = signature;
        this.stage = stage;
        this.archOutputs = stage.outputs();
        this.backend = backend;
        this.onClose = onClose;
        this.gate = new RunnerGate(signature.spec().name(), modelId, "cpu", CpuBackend.ID);
    }

    @Override
    public String stage() {
        return signature.spec().name();
    }

    @Override
    public String backendId() {
        return CpuBackend.ID;
    }

    String modelId() {
        return modelId;
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        signature.checkInputs(inputs);
        return gate.run(() -> {
            ModelStage s = stage;
            return backend.withPool(pool -> runOpen(pool, s, inputs));
        });
    }

    private Map<String, Tensor> runOpen(WorkerPool pool, ModelStage s, Map<String, Tensor> inputs) {
        TensorSpec first = signature.spec().inputs().get(0);
        int batch = (int) inputs.get(first.name()).dim(0);
        Map<String, Long> symbols = symbols(s, inputs);
        symbols.put("B", (long) batch);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, float[]> data = new LinkedHashMap<>();
        for (TensorSpec t : signature.spec().outputs()) {
            long[] shape = shapeOf(t.name(), symbols);
            shapes.put(t.name(), shape);
            data.put(t.name(), new float[Math.toIntExact(Tensor.elementCount(shape))]);
        }
        for (int b = 0; b < batch; b++) {
            Map<String, ModelStage.Output> out = s.run(pool, new ModelStage.Element(inputs, b), signature);
            for (Map.Entry<String, float[]> e : data.entrySet()) {
                float[] all = e.getValue();
                int per = all.length / batch;
                float[] one = out.get(e.getKey()).data();
                if (one.length != per) {
                    throw new IllegalStateException("stage " + stage() + " output " + e.getKey() + " has " + one.length
                            + " elements per batch element, expected " + per);
                }
                System.arraycopy(one, 0, all, b * per, per);
            }
        }
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        data.forEach((name, values) -> outputs.put(name, Tensor.ofFloats(values, shapes.get(name))));
        return outputs;
    }

    /** Sizes of the symbolic axes of the inputs ("N", "P"), as checked. */
    private static Map<String, Long> symbols(ModelStage s, Map<String, Tensor> inputs) {
        Map<String, Long> m = new HashMap<>();
        for (TensorSpec t : s.inputs()) {
            Tensor x = inputs.get(t.name());
            for (int i = 0; i < t.shape().size(); i++) {
                if (!t.isFixed(i)) {
                    m.putIfAbsent(t.shape().get(i), x.dim(i));
                }
            }
        }
        return m;
    }

    /** The architecture's shape of an output with the symbols resolved. */
    private long[] shapeOf(String name, Map<String, Long> symbols) {
        TensorSpec t = archOutputs.stream().filter(o -> o.name().equals(name)).findFirst().orElseThrow();
        long[] shape = new long[t.shape().size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.isFixed(i) ? t.fixed(i) : symbols.get(t.shape().get(i));
        }
        return shape;
    }

    /** Waits for runs in flight, then drops the weights; later runs fail. Idempotent. */
    @Override
    public void close() {
        if (gate.close(() -> stage = null)) {
            onClose.accept(this);
        }
    }

    /** Whether {@link #close()} has run. */
    boolean isClosed() {
        return gate.isClosed();
    }

    @Override
    public String toString() {
        return "cpu:" + modelId + "/" + stage();
    }
}

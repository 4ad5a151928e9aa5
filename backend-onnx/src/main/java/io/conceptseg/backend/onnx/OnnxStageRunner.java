package io.conceptseg.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.TensorSpec;
import io.conceptseg.commons.backend.RunnerGate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One stage of one model as an ORT session. Runs share the session concurrently (ORT sessions are
 * thread-safe for {@code run}); {@link #close()} waits for runs in flight, then frees the session
 * and its thread pool, so a request that started on this runner finishes on it.
 */
final class OnnxStageRunner implements StageRunner {
    private final String modelId;
    private final OnnxSignature signature;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final Set<String> outputNames;
    private final Consumer<OnnxStageRunner> onClose;
    private final RunnerGate gate;

    OnnxStageRunner(String modelId, OnnxSignature signature, OrtEnvironment env, OrtSession session,
            Consumer<OnnxStageRunner> onClose) {
        this.modelId = modelId;
        this.signature = signature;
        this.env = env;
        this.session = session;
        this.onClose = onClose;
        Set<String> outs = new LinkedHashSet<>();
        signature.spec().outputs().forEach(t -> outs.add(t.name()));
        this.outputNames = Collections.unmodifiableSet(outs);
        this.gate = new RunnerGate(signature.spec().name(), modelId, "ONNX", OnnxBackend.ID);
    }

    @Override
    public String stage() {
        return signature.spec().name();
    }

    @Override
    public String backendId() {
        return OnnxBackend.ID;
    }

    /** The model this stage belongs to. */
    String modelId() {
        return modelId;
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        signature.checkInputs(inputs);
        return gate.run(() -> runOpen(inputs));
    }

    private Map<String, Tensor> runOpen(Map<String, Tensor> inputs) {
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        try {
            for (TensorSpec t : signature.spec().inputs()) {
                feeds.put(t.name(), TensorConversion.toOnnx(env, inputs.get(t.name())));
            }
            try (OrtSession.Result result = session.run(feeds, outputNames)) {
                Map<String, Tensor> outputs = new LinkedHashMap<>();
                for (TensorSpec t : signature.spec().outputs()) {
                    Optional<OnnxValue> value = result.get(t.name());
                    if (value.isEmpty() || !(value.get() instanceof OnnxTensor y)) {
                        throw new ConceptSegException(signature.where("output", t.name()), "ONNX Runtime returned no tensor for it");
                    }
                    Tensor out = TensorConversion.fromOnnx(y);
                    signature.checkOutput(t, out);
                    outputs.put(t.name(), out);
                }
                return outputs;
            }
        } catch (OrtException e) {
            throw new ConceptSegException("stage '" + stage() + "' of model " + modelId, "ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    /** Waits for runs in flight, then frees the session; later runs fail. Idempotent. */
    @Override
    public void close() {
        if (gate.close(this::closeSession)) {
            onClose.accept(this);
        }
    }

    private void closeSession() {
        try {
            session.close();
        } catch (OrtException e) {
            System.getLogger(OnnxStageRunner.class.getName()).log(System.Logger.Level.WARNING,
                    "closing the ONNX session of stage " + stage() + " of model " + modelId + " failed", e);
        }
    }

    /** Whether {@link #close()} has run. */
    boolean isClosed() {
        return gate.isClosed();
    }

    @Override
    public String toString() {
        return "onnx:" + modelId + "/" + stage();
    }
}

package io.conceptseg.backend.cuda;

import io.conceptseg.commons.backend.RunnerGate;
import io.conceptseg.commons.model.StageSignature;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.DType;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.TensorSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One stage of one model as a TorchScript module on one DJL device. Runs share the module
 * concurrently (a TorchScript module in inference mode is read-only); every run creates its
 * NDArrays in an NDManager of its own, closed when the run ends, so no native tensor outlives it.
 * {@link #close()} waits for runs in flight, then frees the module, so a request that started on
 * this runner finishes on it.
 */
final class TorchScriptStageRunner implements StageRunner {
    private final String modelId;
    private final StageSignature signature;
    private final Device device;
    private final NDManager modelManager;
    private final PtSymbolBlock module;
    private final Consumer<TorchScriptStageRunner> onClose;
    private final RunnerGate gate;

    private TorchScriptStageRunner(String modelId, StageSignature signature, Device device, NDManager modelManager,
            PtSymbolBlock module, Consumer<TorchScriptStageRunner> onClose) {
        this.modelId = modelId;
        this.signature = signature;
        this.device = device;
        this.modelManager = modelManager;
        this.module = module;
        this.onClose = onClose;
        this.gate = new RunnerGate(signature.spec().name(), modelId, "TorchScript", CudaBackend.ID);
    }

    /**
     * Loads {@code file} onto {@code device}, in inference mode.
     *
     * @throws ModelPackageException naming the file when libtorch cannot load it as a TorchScript module
     */
    static TorchScriptStageRunner load(String modelId, StageSignature signature, Engine engine, Device device, Path file,
            Consumer<TorchScriptStageRunner> onClose) {
        if (signature.spec().inputs().isEmpty()) {
            throw new ModelPackageException(file.toString(), "stage '" + signature.spec().name()
                    + "' declares no inputs in model.json");
        }
        return TorchRuntime.inDjl(() -> {
            NDManager manager = engine.newBaseManager(device);
            try {
                // mapLocation: tensors saved on another device (a module traced on a GPU) load onto ours
                PtSymbolBlock module = JniUtils.loadModule((PtNDManager) manager, file, true,
                        new String[0], new String[0], false);
                JniUtils.enableInferenceMode(module);
                return new TorchScriptStageRunner(modelId, signature, device, manager, module, onClose);
            } catch (RuntimeException e) {
                manager.close();
                throw new ModelPackageException(file.toString(), "libtorch cannot load it as the TorchScript module of stage '"
                        + signature.spec().name() + "' on " + deviceName(device) + " (corrupt, truncated, or not TorchScript?): "
                        + TorchRuntime.firstLine(String.valueOf(e.getMessage())), e);
            }
        });
    }

    @Override
    public String stage() {
        return signature.spec().name();
    }

    @Override
    public String backendId() {
        return CudaBackend.ID;
    }

    /** The model this stage belongs to. */
    String modelId() {
        return modelId;
    }

    /** The device the module lives on ("cpu", "cuda:0"). */
    String device() {
        return deviceName(device);
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        signature.checkInputs(inputs);
        return gate.run(() -> TorchRuntime.inDjl(() -> runOpen(inputs)));
    }

    private Map<String, Tensor> runOpen(Map<String, Tensor> inputs) {
        List<TensorSpec> outputSpecs = signature.spec().outputs();
        try (NDManager call = modelManager.newSubManager()) {
            // traced modules take their inputs positionally, in signature order
            NDList feeds = new NDList();
            for (TensorSpec t : signature.spec().inputs()) {
                feeds.add(NdConversion.toNd(call, inputs.get(t.name())));
            }
            NDList results;
            try {
                // outputs are attached to the manager of the first input: this call's
                results = IValueUtils.forward(module, feeds, false);
            } catch (RuntimeException e) {
                throw new ConceptSegException("stage '" + stage() + "' of model " + modelId,
                        "PyTorch failed on " + deviceName(device) + ": " + TorchRuntime.firstLine(String.valueOf(e.getMessage())), e);
            }
            if (results.size() != outputSpecs.size()) {
                throw new ConceptSegException("stage '" + stage() + "' of model " + modelId, "the TorchScript module returned "
                        + results.size() + " tensor(s), model.json declares " + outputSpecs.size() + " outputs "
                        + outputSpecs.stream().map(TensorSpec::name).toList());
            }
            Map<String, Tensor> outputs = new LinkedHashMap<>();
            for (int i = 0; i < outputSpecs.size(); i++) {
                TensorSpec t = outputSpecs.get(i);
                NDArray y = results.get(i);
                DType dtype = NdConversion.dtypeOf(y);
                if (dtype == null) {
                    throw new ConceptSegException(signature.where("output", t.name()), "the TorchScript module produced "
                            + y.getDataType() + " " + y.getShape() + ", model.json declares " + StageSignature.describe(t));
                }
                Tensor out = NdConversion.fromNd(y);
                signature.checkOutput(t, out);
                outputs.put(t.name(), out);
            }
            return outputs;
        }
    }

    /** Waits for runs in flight, then frees the module; later runs fail. Idempotent. */
    @Override
    public void close() {
        if (gate.close(this::freeModule)) {
            onClose.accept(this);
        }
    }

    private void freeModule() {
        try {
            TorchRuntime.inDjl(() -> {
                try {
                    module.close();
                } finally {
                    modelManager.close();
                }
                return null;
            });
        } catch (RuntimeException e) {
            System.getLogger(TorchScriptStageRunner.class.getName()).log(System.Logger.Level.WARNING,
                    "closing the TorchScript module of stage " + stage() + " of model " + modelId + " failed", e);
        }
    }

    /** Whether {@link #close()} has run. */
    boolean isClosed() {
        return gate.isClosed();
    }

    static String deviceName(Device device) {
        return device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu";
    }

    @Override
    public String toString() {
        return "cuda:" + modelId + "/" + stage() + "@" + device();
    }
}

package io.conceptseg.backend.cuda;

import io.conceptseg.commons.model.StageSignature;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.pytorch.jni.LibUtils;
import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.backend.Availability;
import io.conceptseg.api.backend.InferenceBackend;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.model.StageSpec;
import io.conceptseg.commons.backend.OpenRunners;
import io.conceptseg.commons.config.CheckedSetting;
import io.conceptseg.commons.model.ModelPackages;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;

/**
 * The CUDA backend: loads each stage's {@code torchscript} file of a model package with DJL's
 * PyTorch engine onto CUDA device 0. Where there is no CUDA device, or the libtorch loaded is the
 * CPU flavour, it reports itself unavailable with the reason and loads nothing.
 *
 * <p>Configuration PID {@value #PID}: {@code device} = {@code cuda} (default) or {@code cpu},
 * overridden by the framework or system property {@value TorchDevice#PROPERTY}. With {@code cpu}
 * the stages run on DJL's CPU device, so that machines without a GPU check this backend's
 * numerics against the package fixtures. Stopping the bundle closes every runner it made; the
 * engine and libtorch stay loaded in the library bundle.
 */
@Component(service = InferenceBackend.class, configurationPid = CudaBackend.PID)
public final class CudaBackend implements InferenceBackend {
    /** Backend id. */
    public static final String ID = "cuda";
    /** Configuration PID. */
    public static final String PID = "io.conceptseg.backend.cuda";
    /** Priority under "auto": above onnx (200) and cpu (100). */
    public static final int PRIORITY = 300;

    /** The configuration. */
    public @interface Config {
        /** Where stages run: "cuda" (CUDA device 0) or "cpu". */
        String device() default "cuda";
    }

    private static final System.Logger LOG = System.getLogger(CudaBackend.class.getName());

    private final TorchRuntime runtime;
    private final OpenRunners<TorchScriptStageRunner> runners = new OpenRunners<>(ID);
    private final CheckedSetting<TorchDevice> device = new CheckedSetting<>(TorchDevice.CUDA);

    /** For Declarative Services. */
    public CudaBackend() {
        this(new TorchRuntime());
    }

    CudaBackend(TorchRuntime runtime) {
        this.runtime = runtime;
    }

    @Activate
    @Modified
    void activate(BundleContext context, Config config) {
        // a change of device applies to stages loaded afterwards; loaded runners keep theirs
        // (@Modified, so that a configuration change does not close the runners in use)
        configure(context.getProperty(TorchDevice.PROPERTY), config.device());
    }

    /** Sets the device from the property and configuration; records a bad value for availability(). */
    void configure(String property, String configured) {
        device.apply(() -> TorchDevice.resolve(property, configured), LOG);
    }

    /** Closes every runner this backend made; in-flight runs finish first. */
    @Deactivate
    void deactivate() {
        runners.stop();
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Availability availability() {
        try {
            DeviceStatus status = status();
            return status.usable() ? Availability.ready(status.message()) : Availability.unavailable(status.message());
        } catch (ConceptSegException e) {
            return Availability.unavailable(e.problem());
        } catch (RuntimeException | LinkageError | AssertionError e) {
            return Availability.unavailable("DJL PyTorch engine failed: " + TorchRuntime.describe(e));
        }
    }

    @Override
    public List<String> devices() {
        try {
            DeviceStatus status = status();
            return status.usable() ? List.of(TorchScriptStageRunner.deviceName(status.device())) : List.of();
        } catch (RuntimeException | LinkageError | AssertionError e) {
            return List.of();
        }
    }

    /** The device new stages get. */
    TorchDevice device() {
        return device.value();
    }

    /** The runners made and not yet closed. */
    Set<TorchScriptStageRunner> openRunners() {
        return runners.open();
    }

    /**
     * Where new stages would load, or why nowhere.
     *
     * @throws ConceptSegException when the configuration is bad or the engine cannot start
     */
    DeviceStatus status() {
        ConceptSegException bad = device.error();
        if (bad != null) {
            return DeviceStatus.none("bad configuration: " + bad.getMessage());
        }
        TorchDevice target = device.value();
        if (target != TorchDevice.CPU && !NvidiaDriver.present()) {
            // answer without loading libtorch (~0.5-3 s): without a driver no libtorch finds a GPU
            return DeviceStatus.none("no CUDA device: no NVIDIA driver on this host (" + NvidiaDriver.PROBE
                    + " absent); on a CUDA host set PYTORCH_LIBRARY_PATH, PYTORCH_VERSION and PYTORCH_FLAVOR to a CUDA"
                    + " libtorch; or set " + PID + " device=cpu (" + TorchDevice.PROPERTY + "=cpu) to run on the CPU");
        }
        Engine engine = runtime.engine();
        return TorchRuntime.inDjl(() -> statusOf(engine, target));
    }

    private static DeviceStatus statusOf(Engine engine, TorchDevice device) {
        String libtorch = "libtorch " + engine.getVersion();
        boolean cudaBuild = engine.hasCapability(StandardCapabilities.CUDA);
        String build = libtorch + (cudaBuild ? " (CUDA build)" : " (cpu flavour)") + ", DJL " + Engine.getDjlVersion();
        if (device == TorchDevice.CPU) {
            return DeviceStatus.on(Device.cpu(), "running on CPU (device=cpu); " + build);
        }
        if (!cudaBuild) {
            return DeviceStatus.none("no CUDA device: " + libtorch + " cpu flavour loaded (from " + LibUtils.getLibtorchPath()
                    + "); set PYTORCH_LIBRARY_PATH, PYTORCH_VERSION and PYTORCH_FLAVOR (e.g. cu128) to a CUDA libtorch, or set "
                    + PID + " device=cpu (" + TorchDevice.PROPERTY + "=cpu) to run on the CPU");
        }
        int gpus = engine.getGpuCount();
        if (gpus <= 0) {
            return DeviceStatus.none("no CUDA device: " + libtorch + " is a CUDA build, but no GPU is visible "
                    + "(no NVIDIA driver, or CUDA_VISIBLE_DEVICES hides them)");
        }
        return DeviceStatus.on(Device.gpu(0), "CUDA device cuda:0 (" + gpus + " visible); " + build);
    }

    @Override
    public StageRunner load(ModelPackage model, String stage) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(stage, "stage");
        runners.checkRunning(model, stage);
        DeviceStatus status = status();
        if (!status.usable()) {
            throw new ConceptSegException("cuda backend", "cannot load stage '" + stage + "' of model " + model.id() + ": "
                    + status.message());
        }
        StageSpec spec = ModelPackages.stage(model, stage);
        Path file = ModelPackages.stageFile(model, spec, "torchscript");
        TorchScriptStageRunner runner = TorchScriptStageRunner.load(model.id(), new StageSignature(spec, "the TorchScript module"), runtime.engine(),
                status.device(), file, runners::remove);
        return runners.add(runner, model, stage);
    }
}

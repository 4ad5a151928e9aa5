package io.conceptseg.backend.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.Availability;
import io.conceptseg.api.backend.InferenceBackend;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.model.StageSpec;
import io.conceptseg.commons.backend.OpenRunners;
import io.conceptseg.commons.config.CheckedSetting;
import io.conceptseg.commons.model.ModelPackages;
import java.io.IOException;
import java.nio.file.Files;
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
 * The ONNX Runtime backend: loads each stage's {@code onnx} file of a model package into an ORT
 * session on the CPU execution provider. Configuration PID {@value #PID}: {@code threads}
 * (intra-op threads per session, 0 = one per processor), overridden by the framework or system
 * property {@code conceptseg.onnx.threads}. Stopping the bundle closes every runner it made.
 */
@Component(service = InferenceBackend.class, configurationPid = OnnxBackend.PID)
public final class OnnxBackend implements InferenceBackend {
    /** Backend id. */
    public static final String ID = "onnx";
    /** Configuration PID. */
    public static final String PID = "io.conceptseg.backend.onnx";
    /** Priority under "auto": below cuda (300), above cpu (100). */
    public static final int PRIORITY = 200;

    /** The configuration. */
    public @interface Config {
        /** Intra-op threads per session; 0 = one per available processor. */
        int threads() default 0;
    }

    private static final System.Logger LOG = System.getLogger(OnnxBackend.class.getName());

    private final OrtRuntime runtime;
    private final OpenRunners<OnnxStageRunner> runners = new OpenRunners<>(ID);
    private final CheckedSetting<Integer> threads = new CheckedSetting<>(Math.max(1, Runtime.getRuntime().availableProcessors()));

    /** For Declarative Services. */
    public OnnxBackend() {
        this(new OrtRuntime());
    }

    OnnxBackend(OrtRuntime runtime) {
        this.runtime = runtime;
    }

    @Activate
    @Modified
    void activate(BundleContext context, Config config) {
        // a change of threads applies to stages loaded afterwards; loaded sessions keep theirs
        // (@Modified, so that a configuration change does not close the runners in use)
        configure(context.getProperty(ThreadCount.PROPERTY), config.threads());
    }

    /** Sets the thread count from the property and configuration; records a bad value for availability(). */
    void configure(String property, int configured) {
        threads.apply(() -> ThreadCount.resolve(property, configured, Runtime.getRuntime().availableProcessors()), LOG);
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
            ConceptSegException bad = threads.error();
            if (bad != null) {
                return Availability.unavailable("bad configuration: " + bad.getMessage());
            }
            OrtEnvironment env = runtime.environment();
            int n = threads.value();
            return Availability.ready("ONNX Runtime " + env.getVersion() + ", CPU execution provider, "
                    + n + " intra-op thread" + (n == 1 ? "" : "s") + " per session");
        } catch (ConceptSegException e) {
            return Availability.unavailable(e.problem());
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("ONNX Runtime cannot start here: " + OrtRuntime.describe(e));
        }
    }

    @Override
    public List<String> devices() {
        return List.of("cpu");
    }

    /** The intra-op thread count new sessions get. */
    int threads() {
        return threads.value();
    }

    /** The runners made and not yet closed. */
    Set<OnnxStageRunner> openRunners() {
        return runners.open();
    }

    @Override
    public StageRunner load(ModelPackage model, String stage) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(stage, "stage");
        runners.checkRunning(model, stage);
        ConceptSegException bad = threads.error();
        if (bad != null) {
            throw bad;
        }
        StageSpec spec = ModelPackages.stage(model, stage);
        Path file = ModelPackages.stageFile(model, spec, "onnx");
        OrtEnvironment env = runtime.environment();
        OnnxSignature signature = new OnnxSignature(spec);
        OrtSession session = openSession(env, file, stage);
        OnnxStageRunner runner;
        try {
            signature.checkGraph(file, session.getInputInfo(), session.getOutputInfo());
            runner = new OnnxStageRunner(model.id(), signature, env, session, runners::remove);
        } catch (OrtException e) {
            closeQuietly(session);
            throw new ModelPackageException(file.toString(), "cannot read the graph's signature: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
        return runners.add(runner, model, stage);
    }

    private OrtSession openSession(OrtEnvironment env, Path file, String stage) {
        try {
            if (Files.size(file) == 0) {
                // ORT's own message for this one is a C++ signature
                throw new ModelPackageException(file.toString(), "is empty: not a valid ONNX model for stage '" + stage + "'");
            }
        } catch (IOException e) {
            throw new ModelPackageException(file.toString(), "cannot read: " + e.getMessage(), e);
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads.value());
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            // Every stage has its own intra-op pool; spinning idle pools would steal the cores the
            // stage that is running needs, for a gain of microseconds per run.
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            return env.createSession(file.toString(), options);
        } catch (OrtException e) {
            throw new ModelPackageException(file.toString(), loadProblem(stage, file, e), e);
        }
    }

    /** Says why ORT refused a stage file, in terms of the package. */
    static String loadProblem(String stage, Path file, OrtException e) {
        // ORT's message repeats the code and the path the exception already names
        String detail = String.valueOf(e.getMessage()).replaceFirst("^Error code - \\w+ - message: ", "")
                .replace("Load model from " + file + " failed:", "").trim();
        return switch (e.getCode()) {
            case ORT_INVALID_PROTOBUF, ORT_NO_MODEL, ORT_INVALID_GRAPH, ORT_NO_SUCHFILE ->
                    "not a valid ONNX model for stage '" + stage + "' (corrupt or truncated?): " + detail;
            case ORT_NOT_IMPLEMENTED ->
                    "stage '" + stage + "' uses an operator or opset this ONNX Runtime does not support: " + detail;
            default -> "not a valid ONNX model for stage '" + stage + "', or one this ONNX Runtime cannot load: " + detail;
        };
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException e) {
            LOG.log(System.Logger.Level.WARNING, "closing a rejected ONNX session failed", e);
        }
    }
}

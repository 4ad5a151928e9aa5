package io.conceptseg.backend.cpu;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.Availability;
import io.conceptseg.api.backend.InferenceBackend;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.model.StageSpec;
import io.conceptseg.commons.backend.OpenRunners;
import io.conceptseg.commons.model.ModelPackages;
import io.conceptseg.commons.safetensors.SafeTensors;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;

/**
 * The pure-Java CPU backend: runs every stage of a conceptseg-sam3-mini package from its
 * {@code weights.safetensors} with Java kernels, on its own pool of worker threads. No native
 * code, so it is always available: the reference and the last resort. Configuration PID
 * {@value #PID}: {@code threads} (0 = one per processor), overridden by the framework or system
 * property {@code conceptseg.cpu.threads}. Stopping the bundle closes every runner it made and
 * ends every thread it started.
 */
@Component(service = InferenceBackend.class, configurationPid = CpuBackend.PID)
public final class CpuBackend implements InferenceBackend {
    /** Backend id. */
    public static final String ID = "cpu";
    /** Configuration PID. */
    public static final String PID = "io.conceptseg.backend.cpu";
    /** Priority under "auto": the lowest (cuda 300, onnx 200). */
    public static final int PRIORITY = 100;

    /** The configuration. */
    public @interface Config {
        /** Worker threads; 0 = one per available processor. */
        int threads() default 0;
    }

    private static final System.Logger LOG = System.getLogger(CpuBackend.class.getName());

    private final OpenRunners<CpuStageRunner> runners = new OpenRunners<>(ID);
    // read lock = a run using the pool; write lock = replacing or closing the pool
    private final ReadWriteLock poolLock = new ReentrantReadWriteLock();
    private WorkerPool pool; // guarded by poolLock; null before activation and after deactivation
    private volatile String configProblem;

    /** For Declarative Services; {@link #configure} (or activation) starts the pool. */
    public CpuBackend() {
    }

    @Activate
    @Modified
    void activate(BundleContext context, Config config) {
        // @Modified too: a new thread count swaps the pool between runs instead of closing the runners in use
        configure(context.getProperty(ThreadCount.PROPERTY), config.threads());
    }

    /** Sets the thread count from the property and configuration, (re)creating the pool when it changes. */
    void configure(String property, int configured) {
        ThreadCount.Resolved r = ThreadCount.resolve(property, configured, Runtime.getRuntime().availableProcessors());
        configProblem = r.problem();
        if (r.problem() != null) {
            LOG.log(System.Logger.Level.ERROR, r.problem());
        }
        WorkerPool old = null;
        poolLock.writeLock().lock();
        try {
            if (runners.stopped()) {
                return;
            }
            if (pool == null || pool.parallelism() != r.threads()) {
                old = pool;
                pool = new WorkerPool(r.threads());
            }
        } finally {
            poolLock.writeLock().unlock();
        }
        if (old != null) {
            old.close();
        }
    }

    /** Closes every runner this backend made (in-flight runs finish first), then ends the worker threads. */
    @Deactivate
    void deactivate() {
        runners.stop();
        WorkerPool old;
        poolLock.writeLock().lock();
        try {
            old = pool;
            pool = null;
        } finally {
            poolLock.writeLock().unlock();
        }
        if (old != null) {
            old.close();
        }
    }

    /** Runs {@code work} on the current pool, which is not replaced or closed meanwhile. */
    <T> T withPool(Function<WorkerPool, T> work) {
        poolLock.readLock().lock();
        try {
            if (pool == null) {
                throw new ConceptSegException("cpu backend", runners.stopped() ? "is stopped"
                        : "is not started (no configuration applied)");
            }
            return work.apply(pool);
        } finally {
            poolLock.readLock().unlock();
        }
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
        if (runners.stopped()) {
            return Availability.unavailable("the cpu backend is stopped");
        }
        int n = threads();
        String note = "pure Java, " + n + " worker thread" + (n == 1 ? "" : "s");
        String problem = configProblem;
        return Availability.ready(problem == null ? note : note + " (" + problem + ")");
    }

    @Override
    public List<String> devices() {
        return List.of("cpu");
    }

    /** The worker thread count (0 when not started). */
    int threads() {
        poolLock.readLock().lock();
        try {
            return pool == null ? 0 : pool.parallelism();
        } finally {
            poolLock.readLock().unlock();
        }
    }

    /** The runners made and not yet closed. */
    Set<CpuStageRunner> openRunners() {
        return runners.open();
    }

    @Override
    public StageRunner load(ModelPackage model, String stage) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(stage, "stage");
        runners.checkRunning(model, stage);
        Path modelJson = model.root().resolve("model.json");
        StageSpec spec = ModelPackages.stage(model, stage);
        Dims dims = Dims.of(model);
        WeightFile weights = new WeightFile(SafeTensors.open(model.file(model.descriptor().weightsFile())));
        ModelStage impl = switch (stage) {
            case "vision" -> new VisionStage(dims, weights);
            case "text" -> new TextStage(dims, weights);
            case "geometry" -> new GeometryStage(dims, weights);
            case "fusion" -> new FusionStage(dims, weights);
            case "decoder" -> new DecoderStage(dims, weights);
            default -> throw new ModelPackageException(modelJson.toString(), "stage '" + stage + "' is not a stage of the "
                    + Dims.ARCHITECTURE + " architecture (vision, text, geometry, fusion, decoder)");
        };
        StageSignature signature = StageSignature.check(modelJson, spec, impl.inputs(), impl.outputs());
        return runners.add(new CpuStageRunner(model.id(), signature, impl, this, runners::remove), model, stage);
    }
}

package io.conceptseg.shell;

import io.conceptseg.api.BenchReport;
import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.PredictReport;
import io.conceptseg.api.SegmentOptions;
import io.conceptseg.api.SegmentReport;
import io.conceptseg.api.SegmentationTasks;
import io.conceptseg.api.backend.BackendSelector;
import io.conceptseg.api.model.ModelRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The Gogo commands of scope {@code cs}: a thin facade that maps arguments onto the pipeline's
 * services and formats what they return. The services are optional and dynamic so that the
 * commands exist (and say "pipeline not running") while the pipeline bundle is stopped.
 *
 * <p>Gogo calls every public method whose name matches a function (also {@code get}/{@code is}/
 * {@code set} + name), so public methods here are exactly the commands.
 */
@Component(service = ConceptSegCommands.class, property = {
        "osgi.command.scope=cs",
        "osgi.command.function=backends",
        "osgi.command.function=backend",
        "osgi.command.function=models",
        "osgi.command.function=segment",
        "osgi.command.function=predict",
        "osgi.command.function=bench"})
public class ConceptSegCommands {
    static final String SCOPE = "cs";
    /** The functions registered below (osgi.command.function). */
    static final Set<String> FUNCTIONS = Set.of("backends", "backend", "models", "segment", "predict", "bench");
    static final int DEFAULT_RUNS = 20;
    static final int DEFAULT_WARMUP = 3;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile SegmentationTasks tasks;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile BackendSelector selector;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile ModelRegistry registry;

    /** Where progress goes: the session's error stream (Gogo redirects System.err per session). */
    Supplier<PrintStream> progressOut = () -> System.err;

    /** Used by DS. */
    public ConceptSegCommands() {
    }

    /** For tests: the commands over the given services (any may be null). */
    ConceptSegCommands(SegmentationTasks tasks, BackendSelector selector, ModelRegistry registry) {
        this.tasks = tasks;
        this.selector = selector;
        this.registry = registry;
    }

    @Descriptor("list the inference backends: priority, availability (or why not), devices, active, loaded stages, last latency")
    public String backends() {
        BackendSelector s = need(selector, BackendSelector.class);
        return run(() -> Reports.backends(s.selection(), s.backends()));
    }

    @Descriptor("select the backend that runs new requests (requests in flight finish where they started)")
    public String backend(@Descriptor("a backend id (see cs:backends), or auto") String id) {
        BackendSelector s = need(selector, BackendSelector.class);
        return run(() -> {
            s.select(id.strip());
            return Reports.selected(id.strip(), s.backends());
        });
    }

    @Descriptor("select the backend that runs new requests: backend use ID|auto")
    public String backend(@Descriptor("the word use") String verb,
            @Descriptor("a backend id (see cs:backends), or auto") String id) {
        if (!"use".equals(verb)) {
            return run(() -> {
                throw new InvalidInputException("backend " + verb, "unknown sub-command; say: backend use ID|auto");
            });
        }
        return backend(id);
    }

    @Descriptor("list the installed model packages, default first")
    public String models() {
        ModelRegistry r = need(registry, ModelRegistry.class);
        return run(() -> Reports.models(r.models()));
    }

    @Descriptor("find every instance of each phrase in an image; prints one line per detection, then the files written")
    public String segment(
            @Descriptor("folder to write <image>.json (COCO results) and <image>.png (overlay) into")
            @Parameter(names = {"-o", "--out"}, absentValue = Arguments.ABSENT) String out,
            @Descriptor("keep detections scoring at least this, in [0, 1] (default: the model's)")
            @Parameter(names = {"-t", "--threshold"}, absentValue = Arguments.ABSENT) String threshold,
            @Descriptor("backend id for this request (default: the selected backend)")
            @Parameter(names = {"-b", "--backend"}, absentValue = Arguments.ABSENT) String backend,
            @Descriptor("model id (default: the default model)")
            @Parameter(names = {"-m", "--model"}, absentValue = Arguments.ABSENT) String model,
            @Descriptor("image file (PNG, JPEG)") String image,
            @Descriptor("concept phrases, e.g. washer \"rust spot\"") String... phrases) {
        SegmentationTasks t = need(tasks, SegmentationTasks.class);
        return run(() -> {
            Path imagePath = Arguments.path("image", image);
            List<String> phraseList = Arguments.phrases(phrases);
            Path outDir = Arguments.optionalPath("--out", out);
            SegmentOptions options = Arguments.options(threshold, backend, model);
            SegmentReport report = t.segment(imagePath, phraseList, outDir, options);
            return Reports.segment(report);
        });
    }

    @Descriptor("write COCO results for every (image, phrase) pair of an SA-Co layout data set")
    public String predict(
            @Descriptor("the results JSON file to write (required)")
            @Parameter(names = {"-o", "--out"}, absentValue = Arguments.ABSENT) String out,
            @Descriptor("keep detections scoring at least this, in [0, 1] (default: the model's)")
            @Parameter(names = {"-t", "--threshold"}, absentValue = Arguments.ABSENT) String threshold,
            @Descriptor("backend id (default: the selected backend)")
            @Parameter(names = {"-b", "--backend"}, absentValue = Arguments.ABSENT) String backend,
            @Descriptor("model id (default: the default model)")
            @Parameter(names = {"-m", "--model"}, absentValue = Arguments.ABSENT) String model,
            @Descriptor("data set folder (SA-Co layout)") String datasetDir) {
        SegmentationTasks t = need(tasks, SegmentationTasks.class);
        return run(() -> {
            Path outFile = Arguments.path("--out", out);
            Path dataset = Arguments.path("data set folder", datasetDir);
            SegmentOptions options = Arguments.options(threshold, backend, model);
            PredictReport report = t.predict(dataset, outFile, options, new ProgressPrinter("predict", progressOut.get()));
            return Reports.predict(report);
        });
    }

    @Descriptor("time every stage, the whole pipeline and the backend's stages called directly; prints p50/p95 per stage"
            + " and the overhead ratio; with --backends, compares backends at 1 and " + SegmentationTasks.MANY_PROMPTS + " prompts")
    public String bench(
            @Descriptor("timed runs (default " + DEFAULT_RUNS + ")")
            @Parameter(names = {"-n", "--runs"}, absentValue = Arguments.ABSENT) String runs,
            @Descriptor("untimed warm-up runs (default " + DEFAULT_WARMUP + ")")
            @Parameter(names = {"-w", "--warmup"}, absentValue = Arguments.ABSENT) String warmup,
            @Descriptor("backend id (default: the selected backend)")
            @Parameter(names = {"-b", "--backend"}, absentValue = Arguments.ABSENT) String backend,
            @Descriptor("compare these backends (comma-separated ids, or all for every available one)")
            @Parameter(names = {"--backends"}, absentValue = Arguments.ABSENT) String backends,
            @Descriptor("with --backends: the backend the others are compared with (default: the first)")
            @Parameter(names = {"--baseline"}, absentValue = Arguments.ABSENT) String baseline,
            @Descriptor("model id (default: the default model)")
            @Parameter(names = {"-m", "--model"}, absentValue = Arguments.ABSENT) String model,
            @Descriptor("image file (PNG, JPEG)") String image,
            @Descriptor("concept phrases") String... phrases) {
        SegmentationTasks t = need(tasks, SegmentationTasks.class);
        return run(() -> {
            int n = Arguments.given(runs) ? Arguments.count("--runs", runs, 1) : DEFAULT_RUNS;
            int w = Arguments.given(warmup) ? Arguments.count("--warmup", warmup, 0) : DEFAULT_WARMUP;
            Path imagePath = Arguments.path("image", image);
            List<String> phraseList = Arguments.phrases(phrases);
            if (!Arguments.given(backends)) {
                if (Arguments.given(baseline)) {
                    throw new InvalidInputException("--baseline " + baseline, "only applies with --backends");
                }
                SegmentOptions options = Arguments.options(null, backend, model);
                return Reports.bench(t.bench(imagePath, phraseList, w, n, options), w);
            }
            if (Arguments.given(backend)) {
                throw new InvalidInputException("--backend " + backend, "give either --backend or --backends, not both");
            }
            if (Arguments.given(model)) {
                throw new InvalidInputException("--model " + model, "the backend comparison runs the default model");
            }
            List<BenchReport> reports = t.benchBackends(imagePath, phraseList, Arguments.backendList(backends), w, n);
            return Reports.benchBackends(reports, Arguments.given(baseline) ? baseline : null, w);
        });
    }

    /**
     * Why a command cannot run yet: the name of the service it needs that is not registered,
     * or null when it can run. The command-line runner waits on this.
     */
    String missingService(String function) {
        switch (function) {
            case "backends":
            case "backend":
                return selector == null ? BackendSelector.class.getSimpleName() : null;
            case "models":
                return registry == null ? ModelRegistry.class.getSimpleName() : null;
            case "segment":
            case "predict":
            case "bench":
                return tasks == null ? SegmentationTasks.class.getSimpleName() : null;
            default:
                return null;
        }
    }

    static String notRunning(String service) {
        return "pipeline not running: no " + service + " service is registered"
                + " (is bundle io.conceptseg.pipeline active? check with lb)";
    }

    private static <S> S need(S service, Class<S> type) {
        if (service == null) {
            throw new CommandFailure(notRunning(type.getSimpleName()));
        }
        return service;
    }

    /** Runs a command body, turning ConceptSeg's exceptions into one plain line. */
    private static String run(Supplier<String> body) {
        try {
            // Gogo's console and the runner print results with println: no trailing newline here
            return body.get().stripTrailing();
        } catch (ConceptSegException e) {
            throw new CommandFailure(e.getMessage(), e);
        }
    }
}

package io.conceptseg.shell;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.ErrorBreakdown;
import io.conceptseg.api.EvalMetrics;
import io.conceptseg.api.EvalOptions;
import io.conceptseg.api.EvalReport;
import io.conceptseg.api.EvaluationTasks;
import io.conceptseg.api.SegmentOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code cs:eval}: scores the model on an SA-Co data set (SA-Co protocol: cgF1, pmF1, IL_MCC and the
 * rest) through the pipeline's {@link EvaluationTasks} service, prints a summary table and, with
 * {@code --out}, writes metrics.json, report.html and predictions.json. Like the other cs commands it
 * exists while the pipeline is stopped and then says so.
 */
@Component(service = EvalCommands.class, property = {
        "osgi.command.scope=cs",
        "osgi.command.function=eval"})
public class EvalCommands {
    static final String USAGE = "eval [--out REPORT_DIR] [--predictions FILE] [--threshold T] [--backend ID] [--model ID]"
            + " [--held-out \"copper gear,blue screw,...\"] [--no-paraphrases] DATASET_DIR";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile EvaluationTasks tasks;

    /** Where progress goes: the session's error stream. */
    Supplier<PrintStream> progressOut = () -> System.err;

    /** How long to wait for the service when the command line (not the console) runs eval; 0 in the console. */
    private long waitMillis;

    /** Used by DS. */
    public EvalCommands() {
    }

    /** For tests: over the given service (may be null). */
    EvalCommands(EvaluationTasks tasks) {
        this.tasks = tasks;
    }

    @Activate
    void activate(BundleContext context) {
        // The command-line runner starts a command as soon as Gogo knows it; it waits for the
        // services of ConceptSegCommands only, so eval waits for its own, bounded the same way.
        if ("eval".equals(context.getProperty(CommandLineRunner.COMMAND))) {
            waitMillis = TimeUnit.SECONDS.toMillis(CommandLineRunner.parseWait(context.getProperty(CommandLineRunner.WAIT_SECONDS)));
        }
    }

    @Descriptor("score the model on an SA-Co data set (cgF1 = 100 x pmF1 x IL_MCC, F1@0.5, concept recall, grounding error,"
            + " attribute accuracy, held-out combinations, language ambiguity); prints a summary, writes metrics.json and report.html")
    public String eval(
            @Descriptor("folder for metrics.json, report.html and predictions.json (default: write nothing)")
            @Parameter(names = {"-o", "--out"}, absentValue = Arguments.ABSENT) String out,
            @Descriptor("score this COCO results file instead of running the model")
            @Parameter(names = {"-p", "--predictions"}, absentValue = Arguments.ABSENT) String predictions,
            @Descriptor("predictions scoring at least this count, in [0, 1] (default 0.5, the SA-Co protocol's)")
            @Parameter(names = {"-t", "--threshold"}, absentValue = Arguments.ABSENT) String threshold,
            @Descriptor("backend id (default: the selected backend)")
            @Parameter(names = {"-b", "--backend"}, absentValue = Arguments.ABSENT) String backend,
            @Descriptor("model id (default: the default model)")
            @Parameter(names = {"-m", "--model"}, absentValue = Arguments.ABSENT) String model,
            @Descriptor("held-out finish+part combinations, comma-separated (default: the data set's, else the generator's)")
            @Parameter(names = {"--held-out"}, absentValue = Arguments.ABSENT) String heldOut,
            @Descriptor("do not ask extra phrasings of each concept (language-ambiguity probes)")
            @Parameter(names = {"--no-paraphrases"}, presentValue = "true", absentValue = "false") boolean noParaphrases,
            @Descriptor("data set folder (SA-Co layout: images plus one COCO JSON)") String datasetDir) {
        try {
            Path dataset = Arguments.path("data set folder", datasetDir);
            EvalOptions options = options(out, predictions, threshold, backend, model, heldOut, !noParaphrases);
            EvaluationTasks t = awaitTasks();
            EvalReport report = t.evaluate(dataset, options, new ProgressPrinter("eval", progressOut.get()));
            return summary(report).stripTrailing();
        } catch (ConceptSegException e) {
            throw new CommandFailure(e.getMessage(), e);
        }
    }

    static EvalOptions options(String out, String predictions, String threshold, String backend, String model,
            String heldOut, boolean paraphrases) {
        Double t = Arguments.threshold(threshold);
        List<String> held = null;
        if (Arguments.given(heldOut)) {
            held = new ArrayList<>();
            for (String item : heldOut.split(",")) {
                if (!item.isBlank()) {
                    held.add(item.strip());
                }
            }
        }
        return new EvalOptions(Arguments.optionalPath("--out", out), Arguments.optionalPath("--predictions", predictions),
                t == null ? EvalOptions.DEFAULT_THRESHOLD : t, held, paraphrases,
                new SegmentOptions(null, Arguments.given(backend) ? backend : null, Arguments.given(model) ? model : null));
    }

    private EvaluationTasks awaitTasks() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        EvaluationTasks t = tasks;
        while (t == null && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            t = tasks;
        }
        if (t == null) {
            throw new CommandFailure(ConceptSegCommands.notRunning(EvaluationTasks.class.getSimpleName())
                    + (waitMillis > 0 ? " (waited " + TimeUnit.MILLISECONDS.toSeconds(waitMillis) + " s; raise with --wait SECONDS)" : ""));
        }
        return t;
    }

    /** The printed summary: header, one table row per pair set, attribute accuracy, ambiguity, files. */
    static String summary(EvalReport r) {
        StringBuilder b = new StringBuilder();
        EvalMetrics all = r.overall();
        b.append(String.format(Locale.ROOT, "data set %s: %d images, %d pairs (%d positive), threshold %.2f, %s, %.1f s%n",
                r.dataset(), r.images(), all.pairs(), all.positivePairs(), r.threshold(),
                r.backendId() == null ? "predictions " + r.predictions() : "backend " + r.backendId(), r.seconds()));
        TextTable table = new TextTable("SET", "PAIRS", "POSITIVE", "cgF1", "pmF1", "IL_MCC", "F1@0.5", "RECALL", "GROUND_ERR");
        row(table, "all", all);
        for (Map.Entry<String, EvalMetrics> e : r.byKind().entrySet()) {
            row(table, e.getKey(), e.getValue());
        }
        row(table, "seen combinations", r.seen());
        row(table, "held-out combinations", r.heldOut());
        b.append(table);
        ErrorBreakdown e = all.errors();
        if (e != null) {
            b.append(String.format(Locale.ROOT, "errors at IoU 0.5: FP %d = %d on absent concepts + %d duplicates + %d poorly localised"
                    + " + %d on background/other objects; FN %d = %d poorly localised + %d missed%n", all.fpAt50(), e.fpAbsentConcept(),
                    e.fpDuplicate(), e.fpPoorlyLocalised(), e.fpBackground(), all.fnAt50(), e.fnPoorlyLocalised(), e.fnMissed()));
        }
        b.append(String.format(Locale.ROOT, "held out: %s%n", String.join(", ", r.heldOutCombinations())));
        b.append(String.format(Locale.ROOT, "attribute accuracy %s (%d of %d predictions on finish+part prompts match the prompted finish)%n",
                number(r.attributeAccuracy().accuracy(), 3), r.attributeAccuracy().matched(), r.attributeAccuracy().predictions()));
        if (r.languageAmbiguity().comparisons() == 0) {
            b.append("language ambiguity: n/a (no concept was asked twice about an image)").append(System.lineSeparator());
        } else {
            b.append(String.format(Locale.ROOT, "language ambiguity: mask agreement %s, presence agreement %s over %d phrasing pairs (%d probes)%n",
                    number(r.languageAmbiguity().maskAgreement(), 3), number(r.languageAmbiguity().presenceAgreement(), 3),
                    r.languageAmbiguity().comparisons(), r.languageAmbiguity().probes()));
        }
        b.append(r.byConcept().size()).append(" concepts; per-concept figures in metrics.json and report.html")
                .append(System.lineSeparator());
        for (Path p : r.written()) {
            b.append("wrote ").append(p).append(System.lineSeparator());
        }
        return b.toString();
    }

    private static void row(TextTable table, String name, EvalMetrics m) {
        table.row(name, m.pairs(), m.positivePairs(), number(m.cgF1(), 2), number(m.pmF1(), 3), number(m.ilMcc(), 3),
                number(m.f1At50(), 3), number(m.conceptRecall(), 3), number(m.groundingError(), 4));
    }

    private static String number(double v, int digits) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + digits + "f", v) : "-";
    }
}

package io.conceptseg.pipeline.eval;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.EvalOptions;
import io.conceptseg.api.EvalReport;
import io.conceptseg.api.EvaluationTasks;
import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.PredictReport;
import io.conceptseg.api.ProgressListener;
import io.conceptseg.api.SegmentOptions;
import io.conceptseg.api.SegmentationTasks;
import io.conceptseg.commons.json.Json;
import io.conceptseg.pipeline.SacoDataset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Evaluation as a service: reads and checks the data set, runs the model through
 * {@link SegmentationTasks#predict} (or reads a results file), scores with the SA-Co protocol, and
 * writes metrics.json, report.html and predictions.json. Nothing is written into the data set; scratch
 * files live in a temporary folder removed before returning, whatever happens.
 */
@Component(service = EvaluationTasks.class)
public class EvaluationTasksComponent implements EvaluationTasks {
    static final String PREDICTIONS = "predictions.json";
    static final String METRICS = "metrics.json";
    static final String REPORT = "report.html";

    @Reference
    SegmentationTasks tasks;

    /** Used by DS. */
    public EvaluationTasksComponent() {
    }

    /** For tests: over the given tasks. */
    EvaluationTasksComponent(SegmentationTasks tasks) {
        this.tasks = tasks;
    }

    @Override
    public EvalReport evaluate(Path datasetDir, EvalOptions options, ProgressListener progress) {
        if (datasetDir == null) {
            throw new InvalidInputException("data set folder", "is required");
        }
        EvalOptions opt = options == null ? EvalOptions.runModel(null) : options;
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        long t0 = System.nanoTime();
        Path outDir = opt.outDir() == null ? null : opt.outDir().toAbsolutePath().normalize();
        if (outDir != null && outDir.equals(datasetDir.toAbsolutePath().normalize())) {
            throw new InvalidInputException("--out " + outDir, "is the data set folder; reports written there would add JSON files"
                    + " to the data set. Choose another folder");
        }
        if (opt.predictions() != null && (opt.segment().backend() != null || opt.segment().model() != null)) {
            throw new InvalidInputException("--predictions " + opt.predictions(),
                    "scores a results file; --backend and --model only apply when the model runs. Drop one or the other");
        }
        SacoDataset data = SacoDataset.read(datasetDir);
        EvalSet set = EvalSet.read(data);
        HeldOut heldOut = HeldOut.resolve(opt.heldOut(), data.root(), data.annotationsFile().toString());
        Path scratch = null;
        try {
            if (outDir != null) {
                Files.createDirectories(outDir);
            }
            Path predictionsFile;
            String backend = null;
            List<Object> entries;
            List<SacoScorer.Probe> probes = List.of();
            Map<Long, List<Instance>> probePredictions = Map.of();
            if (opt.predictions() != null) {
                predictionsFile = opt.predictions().toAbsolutePath().normalize();
                entries = PredictionsFile.load(predictionsFile);
            } else {
                scratch = Files.createTempDirectory("conceptseg-eval-");
                predictionsFile = (outDir != null ? outDir : scratch).resolve(PREDICTIONS);
                Map<Long, EvalSet.Entry> probeEntries = new LinkedHashMap<>();
                probes = opt.paraphrases() ? ParaphraseProbes.plan(set, probeEntries) : List.of();
                Path runDir = datasetDir;
                Path runOut = predictionsFile;
                if (!probes.isEmpty()) {
                    runDir = Files.createDirectories(scratch.resolve("dataset"));
                    ParaphraseProbes.write(set, probes, probeEntries, runDir);
                    runOut = scratch.resolve("with-probes.json");
                }
                // the model keeps what the protocol counts: every prediction scoring >= the threshold
                SegmentOptions run = new SegmentOptions(opt.threshold(), opt.segment().backend(), opt.segment().model());
                PredictReport predicted = tasks.predict(runDir, runOut, run, (d, t, item) -> listener.progress(d, t, "predict " + item));
                backend = predicted.backendId();
                entries = PredictionsFile.load(runOut);
                if (!probes.isEmpty()) {
                    List<Object> probeList = new ArrayList<>();
                    List<Object> pairList = new ArrayList<>();
                    for (Object e : entries) {
                        boolean probe = e instanceof Map<?, ?> m && m.get("image_id") instanceof Long id && probeEntries.containsKey(id);
                        (probe ? probeList : pairList).add(e);
                    }
                    writeResults(predictionsFile, pairList);
                    entries = pairList;
                    probePredictions = PredictionsFile.attach(runOut + " (paraphrase probes)", probeList, probeEntries, opt.threshold());
                }
            }
            Map<Long, List<Instance>> predictions = PredictionsFile.attach(predictionsFile.toString(), entries, set.byId, opt.threshold());
            SacoScorer.Scores s = SacoScorer.score(set, predictions, heldOut, probes, probePredictions,
                    (d, t, item) -> listener.progress(d, t, "score " + item));
            List<Path> written = new ArrayList<>();
            if (outDir != null) {
                if (opt.predictions() == null) {
                    written.add(predictionsFile);
                }
                written.add(outDir.resolve(METRICS));
                written.add(outDir.resolve(REPORT));
            }
            long images = set.entries.stream().map(e -> e.pair().file()).distinct().count();
            Path kept = opt.predictions() != null || outDir != null ? predictionsFile : null;
            EvalReport report = new EvalReport(data.dir(), kept, backend, opt.threshold(), (int) images,
                    (System.nanoTime() - t0) / 1e9, s.overall(), s.byKind(), s.byConcept(), s.seen(), s.heldOut(),
                    heldOut.combinations(), s.attributeAccuracy(), s.languageAmbiguity(), written);
            if (outDir != null) {
                Files.writeString(outDir.resolve(METRICS), MetricsJson.write(report, heldOut.source()), StandardCharsets.UTF_8);
                Files.writeString(outDir.resolve(REPORT), HtmlReport.render(report, heldOut.source()), StandardCharsets.UTF_8);
            }
            return report;
        } catch (IOException e) {
            throw new ConceptSegException(outDir == null ? "evaluation scratch folder" : outDir.toString(),
                    "cannot write: " + e.getMessage(), e);
        } finally {
            deleteQuietly(scratch);
        }
    }

    /** Writes a COCO results list, one entry per line (the layout predict writes). */
    static void writeResults(Path file, List<Object> entries) throws IOException {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < entries.size(); i++) {
            b.append(i == 0 ? "\n" : ",\n");
            Json.write(b, entries.get(i));
        }
        b.append(entries.isEmpty() ? "]\n" : "\n]\n");
        Files.writeString(file, b, StandardCharsets.UTF_8);
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        // links to the data set's images are removed, never followed
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a leftover in the temporary folder harms nothing
                }
            });
        } catch (IOException e) {
            // same
        }
    }
}

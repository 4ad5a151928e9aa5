package io.conceptseg.pipeline;

import io.conceptseg.api.BenchReport;
import io.conceptseg.api.ConceptPrompt;
import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.ConceptSegmenter;
import io.conceptseg.api.Detection;
import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.LatencyStats;
import io.conceptseg.api.PredictReport;
import io.conceptseg.api.ProgressListener;
import io.conceptseg.api.PromptResult;
import io.conceptseg.api.SegmentOptions;
import io.conceptseg.api.SegmentReport;
import io.conceptseg.api.SegmentRequest;
import io.conceptseg.api.SegmentResult;
import io.conceptseg.api.SegmentationTasks;
import io.conceptseg.api.NoBackendException;
import io.conceptseg.api.backend.BackendSelector;
import io.conceptseg.api.backend.BackendStatus;
import io.conceptseg.api.image.ImageData;
import io.conceptseg.api.image.ImageDecoder;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.model.ModelRegistry;
import io.conceptseg.pipeline.InstrumentedSession.StageCall;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The user-facing jobs (segment a file, predict a data set, benchmark), shared by shell and command line. */
@Component(service = SegmentationTasks.class)
public class SegmentationTasksComponent implements SegmentationTasks {
    @Reference
    ConceptSegmenter segmenter;
    @Reference
    RecordingSegmenter recording;
    @Reference
    ImageDecoder decoder;
    @Reference
    ModelRegistry models;
    @Reference
    SessionProvider sessions;
    @Reference
    BackendSelector selector;

    @Override
    public SegmentReport segment(Path image, List<String> phrases, Path outDir, SegmentOptions options) {
        ImageData data = decoder.decode(image);
        SegmentResult result = segmenter.segment(new SegmentRequest(data, prompts(phrases), options));
        List<Path> written = new ArrayList<>();
        if (outDir != null) {
            String base = baseName(image);
            Path json = outDir.resolve(base + ".json");
            Path png = outDir.resolve(base + ".png");
            if (png.toAbsolutePath().normalize().equals(image.toAbsolutePath().normalize())) {
                throw new InvalidInputException(outDir.toString(), "writing the overlay there would overwrite the input image " + image);
            }
            List<Map<String, Object>> entries = new ArrayList<>();
            for (Detection d : result.detections()) {
                entries.add(CocoResults.entry(0, d, d.label()));
            }
            try {
                CocoResults.write(json, entries);
                ImageIO.write(OverlayRenderer.render(data, result), "png", png.toFile());
            } catch (IOException e) {
                throw new ConceptSegException(outDir.toString(), "cannot write results: " + e.getMessage(), e);
            }
            written.add(json);
            written.add(png);
        }
        return new SegmentReport(result, written);
    }

    @Override
    public PredictReport predict(Path datasetDir, Path outFile, SegmentOptions options, ProgressListener progress) {
        if (outFile == null) {
            throw new InvalidInputException("--out", "predict needs an output file");
        }
        long t0 = System.nanoTime();
        SacoDataset data = SacoDataset.read(datasetDir);
        Map<Path, List<SacoDataset.Pair>> byImage = data.byImage();
        List<Map<String, Object>> entries = new ArrayList<>();
        String backend = null;
        int done = 0;
        for (Map.Entry<Path, List<SacoDataset.Pair>> e : byImage.entrySet()) {
            List<SacoDataset.Pair> pairs = e.getValue();
            ImageData image = decodeEntry(e.getKey(), pairs.get(0));
            // one request per image: the image is encoded once for all of its phrases
            List<String> phrases = pairs.stream().map(SacoDataset.Pair::phrase).distinct().toList();
            SegmentResult result = segmenter.segment(new SegmentRequest(image, prompts(phrases), options));
            backend = result.backendId();
            Map<String, PromptResult> byPhrase = new LinkedHashMap<>();
            for (PromptResult r : result.results()) {
                byPhrase.put(r.prompt().text(), r);
            }
            for (SacoDataset.Pair p : pairs) {
                for (Detection d : byPhrase.get(p.phrase()).detections()) {
                    entries.add(CocoResults.entry(p.id(), d, null));
                }
            }
            progress.progress(++done, byImage.size(), pairs.get(0).fileName());
        }
        try {
            CocoResults.write(outFile, entries);
        } catch (IOException ex) {
            throw new ConceptSegException(outFile.toString(), "cannot write predictions: " + ex.getMessage(), ex);
        }
        return new PredictReport(outFile, byImage.size(), data.pairs().size(), entries.size(), (System.nanoTime() - t0) / 1e9, backend);
    }

    private ImageData decodeEntry(Path file, SacoDataset.Pair pair) {
        try {
            return decoder.decode(file);
        } catch (InvalidInputException ex) {
            throw new InvalidInputException(pair.where(), ex.problem(), ex);
        }
    }

    @Override
    public BenchReport bench(Path image, List<String> phrases, int warmup, int runs, SegmentOptions options) {
        if (runs < 1 || warmup < 0) {
            throw new InvalidInputException("--runs " + runs + " --warmup " + warmup, "runs must be >= 1 and warmup >= 0");
        }
        ImageData data = decoder.decode(image);
        SegmentRequest request = new SegmentRequest(data, prompts(phrases), options);
        for (int i = 0; i < warmup; i++) {
            recording.run(request, false);
        }
        Map<String, List<Double>> stageSamples = new LinkedHashMap<>();
        List<Double> pipeline = new ArrayList<>();
        ConceptSegmenterComponent.Run last = null;
        for (int i = 0; i < runs; i++) {
            last = recording.run(request, i == runs - 1);
            last.result().stageMillis().forEach((k, v) -> stageSamples.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
            pipeline.add(last.result().stageMillis().get("total"));
        }
        // Replay the very same stage calls straight on the runners: the floor the pipeline adds to.
        List<StageCall> calls = last.session().calls();
        ModelPackage model = models.find(last.result().modelId()).orElseThrow();
        LoadedSession session = sessions.acquire(model, last.result().backendId());
        List<Double> direct = new ArrayList<>();
        try {
            for (int i = 0; i < warmup + runs; i++) {
                long t = System.nanoTime();
                for (StageCall c : calls) {
                    session.runner(c.stage()).run(c.inputs());
                }
                if (i >= warmup) {
                    direct.add((System.nanoTime() - t) / 1e6);
                }
            }
        } finally {
            session.release(Double.NaN);
        }
        List<LatencyStats> stages = new ArrayList<>();
        stageSamples.forEach((k, v) -> {
            if (!k.equals("total")) {
                stages.add(Latencies.of(k, v));
            }
        });
        LatencyStats p = Latencies.of("pipeline", pipeline);
        LatencyStats d = Latencies.of("direct", direct);
        return new BenchReport(last.result().backendId(), last.result().modelId(), phrases.size(), stages, p, d, p.p50() / d.p50());
    }

    @Override
    public List<BenchReport> benchBackends(Path image, List<String> phrases, List<String> backends, int warmup, int runs) {
        List<String> ids = backends == null || backends.isEmpty()
                ? selector.backends().stream().filter(b -> b.availability().available()).map(BackendStatus::id).toList()
                : backends;
        if (ids.isEmpty()) {
            throw new NoBackendException("all", "no backend is available to benchmark");
        }
        return SegmentationTasks.super.benchBackends(image, phrases, ids, warmup, runs);
    }

    private static List<ConceptPrompt> prompts(List<String> phrases) {
        if (phrases == null || phrases.isEmpty()) {
            throw new InvalidInputException("phrases", "give at least one noun phrase");
        }
        return phrases.stream().map(ConceptPrompt::text).toList();
    }

    private static String baseName(Path image) {
        String n = image.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}

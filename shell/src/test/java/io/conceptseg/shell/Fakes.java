package io.conceptseg.shell;

import io.conceptseg.api.BenchReport;
import io.conceptseg.api.BoundingBox;
import io.conceptseg.api.ConceptPrompt;
import io.conceptseg.api.Detection;
import io.conceptseg.api.LatencyStats;
import io.conceptseg.api.PredictReport;
import io.conceptseg.api.ProgressListener;
import io.conceptseg.api.PromptResult;
import io.conceptseg.api.Rle;
import io.conceptseg.api.SegmentOptions;
import io.conceptseg.api.SegmentReport;
import io.conceptseg.api.SegmentResult;
import io.conceptseg.api.SegmentationTasks;
import io.conceptseg.api.backend.Availability;
import io.conceptseg.api.backend.BackendSelector;
import io.conceptseg.api.backend.BackendStatus;
import io.conceptseg.api.model.ModelDescriptor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.model.ModelRegistry;
import io.conceptseg.api.NoBackendException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** Hand-written fakes of the pipeline's services that record what the commands pass them. */
final class Fakes {
    private Fakes() {
    }

    /** Records the last call of each task; answers with fixed reports or throws what it is told to. */
    static final class Tasks implements SegmentationTasks {
        Path image;
        List<String> phrases;
        Path outDir;
        Path outFile;
        Path dataset;
        SegmentOptions options;
        int warmup = -1;
        int runs = -1;
        RuntimeException failure;

        @Override
        public SegmentReport segment(Path image, List<String> phrases, Path outDir, SegmentOptions options) {
            this.image = image;
            this.phrases = phrases;
            this.outDir = outDir;
            this.options = options;
            fail();
            List<Path> written = outDir == null ? List.of() : List.of(outDir.resolve("part.json"), outDir.resolve("part.png"));
            return new SegmentReport(result(phrases), written);
        }

        @Override
        public PredictReport predict(Path datasetDir, Path outFile, SegmentOptions options, ProgressListener progress) {
            this.dataset = datasetDir;
            this.outFile = outFile;
            this.options = options;
            fail();
            for (int i = 1; i <= 100; i++) {
                progress.progress(i, 100, "img" + i + ".png washer");
            }
            return new PredictReport(outFile, 40, 100, 123, 2.0, "onnx");
        }

        @Override
        public BenchReport bench(Path image, List<String> phrases, int warmup, int runs, SegmentOptions options) {
            this.image = image;
            this.phrases = phrases;
            this.warmup = warmup;
            this.runs = runs;
            this.options = options;
            fail();
            return new BenchReport("onnx", "inspection-tiny", phrases.size(),
                    List.of(new LatencyStats("vision", runs, 4.25, 6.5, 4.5), new LatencyStats("decoder", runs, 12.0, 15.25, 12.5)),
                    new LatencyStats("pipeline", runs, 20.0, 25.0, 21.0), new LatencyStats("direct", runs, 16.0, 20.0, 17.0), 1.25);
        }

        List<String> backends;

        /** Per backend, 1 and 10 prompts; cpu is 4x slower than the others, latency grows with prompts. */
        @Override
        public List<BenchReport> benchBackends(Path image, List<String> phrases, List<String> backends, int warmup, int runs) {
            this.image = image;
            this.phrases = phrases;
            this.backends = backends;
            this.warmup = warmup;
            this.runs = runs;
            fail();
            List<BenchReport> out = new ArrayList<>();
            for (String id : backends.isEmpty() ? List.of("onnx") : backends) {
                double unit = id.equals("cpu") ? 8 : 2;
                for (int prompts : new int[] {1, 10}) {
                    double p50 = unit * prompts;
                    out.add(new BenchReport(id, "inspection-tiny", prompts, List.of(),
                            new LatencyStats("pipeline", runs, p50, p50 * 1.5, p50 * 1.25), new LatencyStats("direct", runs, p50 / 1.25, p50, p50), 1.25));
                }
            }
            return out;
        }

        private void fail() {
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** Two washers for the first phrase, nothing for the others. */
    static SegmentResult result(List<String> phrases) {
        List<PromptResult> results = new ArrayList<>();
        for (int i = 0; i < phrases.size(); i++) {
            String p = phrases.get(i);
            List<Detection> dets = i == 0
                    ? List.of(new Detection(p, 0.9123, new BoundingBox(10, 20.5, 30, 40), new Rle(2, 2, "04"), 1200),
                            new Detection(p, 0.5, new BoundingBox(1, 2, 3, 4), new Rle(2, 2, "04"), 12))
                    : List.of();
            results.add(new PromptResult(ConceptPrompt.text(p), i == 0 ? 0.97 : 0.0312, dets));
        }
        Map<String, Double> stages = new LinkedHashMap<>();
        stages.put("vision", 10.0);
        stages.put("decoder", 2.5);
        return new SegmentResult("part.png", 640, 480, "inspection-tiny", "onnx", results, stages);
    }

    /** A selector over fixed statuses; select() marks the chosen one active. */
    static final class Selector implements BackendSelector {
        String selection = AUTO;
        List<BackendStatus> statuses = new ArrayList<>(List.of(
                new BackendStatus("onnx", 200, Availability.ready("CPU execution provider"), List.of("cpu"), true,
                        List.of("inspection-tiny/vision", "inspection-tiny/text"), 12.345),
                new BackendStatus("cuda", 300, Availability.unavailable("no CUDA device"), List.of(), false, List.of(), Double.NaN)));

        @Override
        public List<BackendStatus> backends() {
            return statuses;
        }

        @Override
        public String selection() {
            return selection;
        }

        @Override
        public void select(String idOrAuto) {
            if (statuses.stream().noneMatch(s -> s.id().equals(idOrAuto)) && !AUTO.equals(idOrAuto)) {
                throw new NoBackendException(idOrAuto, "no such backend; the backends are onnx, cuda");
            }
            selection = idOrAuto;
        }
    }

    static ModelDescriptor descriptor(String id) {
        Map<String, Double> dims = Map.of("d_model", 32.0, "queries", 16.0);
        Map<String, io.conceptseg.api.model.StageSpec> stages = new LinkedHashMap<>();
        stages.put("vision", new io.conceptseg.api.model.StageSpec("vision", Map.of(), List.of(), List.of()));
        stages.put("text", new io.conceptseg.api.model.StageSpec("text", Map.of(), List.of(), List.of()));
        return new ModelDescriptor(1, id, "conceptseg-sam3-mini", "tiny", new ModelDescriptor.ImageSpec(128, List.of(0.5), List.of(0.2)),
                null, dims, new ModelDescriptor.Thresholds(0.5, 0), "weights.safetensors", "float32", Map.of(), stages);
    }

    static ModelPackage model(String id, String origin) {
        return new ModelPackage() {
            @Override
            public Path root() {
                return Path.of("/models", id);
            }

            @Override
            public ModelDescriptor descriptor() {
                return Fakes.descriptor(id);
            }

            @Override
            public String origin() {
                return origin;
            }
        };
    }

    static final class Registry implements ModelRegistry {
        Supplier<List<ModelPackage>> models = () -> List.of(model("inspection-tiny", "io.conceptseg.model.inspection"),
                model("other", "/data/models/other"));

        @Override
        public List<ModelPackage> models() {
            return models.get();
        }

        @Override
        public Optional<ModelPackage> find(String id) {
            return models().stream().filter(m -> m.id().equals(id)).findFirst();
        }

        @Override
        public ModelPackage defaultModel() {
            return models().get(0);
        }
    }
}

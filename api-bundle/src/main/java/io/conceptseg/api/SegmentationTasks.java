package io.conceptseg.api;

import java.nio.file.Path;
import java.util.List;

/**
 * The jobs users run from the shell and the command line, as a service so that the shell stays a
 * thin facade: segment a file and write its outputs, predict a whole SA-Co data set, benchmark.
 */
public interface SegmentationTasks {
    /**
     * Segments one image file for the given phrases; when {@code outDir} is not null, writes
     * {@code <name>.json} (COCO results) and {@code <name>.png} (overlay) there.
     */
    SegmentReport segment(Path image, List<String> phrases, Path outDir, SegmentOptions options);

    /**
     * Writes COCO results for every (image, phrase) pair of an SA-Co layout data set, encoding each
     * image once.
     */
    PredictReport predict(Path datasetDir, Path outFile, SegmentOptions options, ProgressListener progress);

    /** Times every stage, the whole pipeline, and the backend's stages called directly on the same inputs. */
    BenchReport bench(Path image, List<String> phrases, int warmup, int runs, SegmentOptions options);

    /**
     * Benchmarks several backends side by side in one run, each with one prompt (the first phrase)
     * and with {@link #MANY_PROMPTS} prompts (the phrases repeated in turn), on the same image.
     *
     * @param backends backend ids; empty for every available backend (this default needs them named;
     *        the pipeline's implementation knows which are available)
     */
    default List<BenchReport> benchBackends(Path image, List<String> phrases, List<String> backends, int warmup, int runs) {
        if (backends == null || backends.isEmpty()) {
            throw new InvalidInputException("--backends", "name the backends to compare");
        }
        if (phrases == null || phrases.isEmpty()) {
            throw new InvalidInputException("phrases", "give at least one noun phrase");
        }
        List<String> many = new java.util.ArrayList<>();
        for (int i = 0; i < MANY_PROMPTS; i++) {
            many.add(phrases.get(i % phrases.size()));
        }
        List<BenchReport> reports = new java.util.ArrayList<>();
        for (String id : backends) {
            SegmentOptions options = new SegmentOptions(null, id, null);
            reports.add(bench(image, List.of(phrases.get(0)), warmup, runs, options));
            reports.add(bench(image, many, warmup, runs, options));
        }
        return reports;
    }

    /** The prompt count of the many-prompts benchmark. */
    int MANY_PROMPTS = 10;
}

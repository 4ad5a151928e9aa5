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
}

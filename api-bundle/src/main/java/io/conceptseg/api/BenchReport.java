package io.conceptseg.api;

import java.util.List;

/**
 * A benchmark of one backend on one image and prompt set.
 *
 * @param backendId backend measured
 * @param modelId model measured
 * @param prompts number of prompts per request
 * @param stages per-stage latency inside the pipeline
 * @param pipeline whole-request latency through {@link ConceptSegmenter}
 * @param direct the same stages called directly on the backend's runners, same inputs, no pre/post-processing
 * @param overheadRatio pipeline p50 / direct p50
 */
public record BenchReport(String backendId, String modelId, int prompts, List<LatencyStats> stages,
        LatencyStats pipeline, LatencyStats direct, double overheadRatio) {
    /** Copies the list. */
    public BenchReport { stages = List.copyOf(stages); }

    /** Whole requests (one image, all prompts) per second, from the mean pipeline latency. */
    public double imagesPerSecond() { return 1000.0 / pipeline.mean(); }

    /**
     * This report's p50 over the baseline's p50 for the same prompt count among {@code all}, or NaN
     * when the baseline was not measured.
     */
    public double ratioTo(String baselineBackend, List<BenchReport> all) {
        return all.stream().filter(r -> r.backendId().equals(baselineBackend) && r.prompts() == prompts)
                .findFirst().map(r -> pipeline.p50() / r.pipeline().p50()).orElse(Double.NaN);
    }
}

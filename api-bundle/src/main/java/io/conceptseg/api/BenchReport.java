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
}

package io.conceptseg.api;

import java.util.List;
import java.util.Map;

/**
 * What one request found.
 *
 * @param imageName the image's name (file name or caller's label)
 * @param width original width
 * @param height original height
 * @param modelId model that ran
 * @param backendId backend that ran it
 * @param results one entry per prompt, in request order
 * @param stageMillis wall time per stage (vision, text, geometry, fusion, decoder, post)
 */
public record SegmentResult(String imageName, int width, int height, String modelId, String backendId,
        List<PromptResult> results, Map<String, Double> stageMillis) {
    /** Copies collections. */
    public SegmentResult {
        results = List.copyOf(results);
        stageMillis = Map.copyOf(stageMillis);
    }

    /** Every detection of every prompt. */
    public List<Detection> detections() {
        return results.stream().flatMap(r -> r.detections().stream()).toList();
    }
}

package io.conceptseg.api;

/**
 * Per-request choices; a null field means "use the default".
 *
 * @param scoreThreshold keep detections scoring at least this (default: the model's threshold)
 * @param backend backend id for this request, or null for the selected backend
 * @param model model id, or null for the default model
 */
public record SegmentOptions(Double scoreThreshold, String backend, String model) {
    /** All defaults. */
    public static final SegmentOptions DEFAULTS = new SegmentOptions(null, null, null);

    /** Checks the threshold. */
    public SegmentOptions {
        if (scoreThreshold != null && !(scoreThreshold >= 0 && scoreThreshold <= 1)) {
            throw new InvalidInputException("threshold " + scoreThreshold, "the score threshold must lie in [0, 1]");
        }
        if (backend != null && backend.isBlank()) {
            backend = null;
        }
    }
}

package io.conceptseg.api;

import java.nio.file.Path;
import java.util.List;

/**
 * What an evaluation scores and where it writes.
 *
 * @param outDir folder for {@code metrics.json}, {@code report.html} and (when the model runs)
 *        {@code predictions.json}; null writes nothing and keeps the predictions in a temporary file
 * @param predictions an existing COCO results file to score instead of running the model, or null
 * @param threshold predictions scoring at least this count (the SA-Co protocol uses 0.5)
 * @param heldOut the finish+part combinations held out of training, as phrases ("copper gear"),
 *        or null to take them from the data set ("held_out" or "info.held_out") or else the
 *        generator's defaults
 * @param paraphrases when the model runs, also ask each (image, concept) in a second surface form
 *        (synonym or the other number) to measure language-ambiguity sensitivity
 * @param segment backend and model for running the model (its score threshold is ignored:
 *        {@code threshold} is used); must be the defaults when {@code predictions} is given
 */
public record EvalOptions(Path outDir, Path predictions, double threshold, List<String> heldOut, boolean paraphrases,
        SegmentOptions segment) {
    /** The SA-Co protocol's score threshold. */
    public static final double DEFAULT_THRESHOLD = 0.5;

    /** Checks the threshold and copies the list. */
    public EvalOptions {
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new InvalidInputException("threshold " + threshold, "the score threshold must lie in [0, 1]");
        }
        heldOut = heldOut == null ? null : List.copyOf(heldOut);
        segment = segment == null ? SegmentOptions.DEFAULTS : segment;
    }

    /** Runs the default model at the protocol's threshold, with paraphrase probes, writing into {@code outDir}. */
    public static EvalOptions runModel(Path outDir) {
        return new EvalOptions(outDir, null, DEFAULT_THRESHOLD, null, true, SegmentOptions.DEFAULTS);
    }

    /** Scores an existing results file at the protocol's threshold, writing into {@code outDir}. */
    public static EvalOptions fromPredictions(Path predictions, Path outDir) {
        return new EvalOptions(outDir, predictions, DEFAULT_THRESHOLD, null, false, SegmentOptions.DEFAULTS);
    }
}

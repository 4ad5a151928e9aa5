package io.conceptseg.api;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of an evaluation: the SA-Co metrics overall, by concept kind, by concept and for the
 * seen and held-out finish+part combinations, plus attribute accuracy and language ambiguity.
 *
 * @param dataset the data set folder
 * @param predictions the results file scored, or null when it was temporary
 * @param backendId backend that ran the model, or null when a results file was scored
 * @param threshold score threshold used
 * @param images distinct image files
 * @param seconds wall time, prediction included
 * @param overall every pair
 * @param byKind by concept kind: "part", "finish+part", "defect", "group" (and "other" for phrases
 *        outside the inspection vocabulary), in that order, kinds without pairs left out
 * @param byConcept by concept: the canonical singular phrase ("brass washer", "rust spot"), sorted
 * @param seen finish+part pairs whose combination was seen in training
 * @param heldOut finish+part pairs whose combination was held out of training
 * @param heldOutCombinations the held-out combinations used, canonical ("copper gear")
 * @param attributeAccuracy see {@link AttributeAccuracy}
 * @param languageAmbiguity see {@link LanguageAmbiguity}
 * @param written files written (metrics.json, report.html, predictions.json)
 */
public record EvalReport(Path dataset, Path predictions, String backendId, double threshold, int images, double seconds,
        EvalMetrics overall, Map<String, EvalMetrics> byKind, Map<String, EvalMetrics> byConcept,
        EvalMetrics seen, EvalMetrics heldOut, List<String> heldOutCombinations,
        AttributeAccuracy attributeAccuracy, LanguageAmbiguity languageAmbiguity, List<Path> written) {
    /** Copies collections, keeping the maps' order. */
    public EvalReport {
        byKind = Collections.unmodifiableMap(new LinkedHashMap<>(byKind));
        byConcept = Collections.unmodifiableMap(new LinkedHashMap<>(byConcept));
        heldOutCombinations = List.copyOf(heldOutCombinations);
        written = List.copyOf(written);
    }
}

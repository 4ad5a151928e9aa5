package io.conceptseg.pipeline.eval;

import io.conceptseg.api.AttributeAccuracy;
import io.conceptseg.api.EvalMetrics;
import io.conceptseg.api.LanguageAmbiguity;
import io.conceptseg.api.ProgressListener;
import io.conceptseg.commons.rle.RunMask;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Scores predictions against a data set: matches each pair, then sums the outcomes overall, by
 * concept kind, by concept, for seen and held-out finish+part combinations; adds attribute accuracy
 * and language-ambiguity agreement. Pure computation: no files, no model.
 */
final class SacoScorer {
    private SacoScorer() {
    }

    /**
     * An extra phrasing the model was asked (a paraphrase probe), scored only for language ambiguity.
     *
     * @param id the pair id it was asked under
     * @param file the image file
     * @param phrase the phrasing asked
     * @param canonical the concept it names
     */
    record Probe(long id, Path file, String phrase, String canonical) {
    }

    /**
     * Everything the scorer computes.
     *
     * @param overall every pair
     * @param byKind by concept kind label, report order
     * @param byConcept by canonical concept, sorted
     * @param seen finish+part pairs of seen combinations
     * @param heldOut finish+part pairs of held-out combinations
     * @param attributeAccuracy matched share of predictions on finish+part prompts
     * @param languageAmbiguity agreement across phrasings of one concept on one image
     */
    record Scores(EvalMetrics overall, Map<String, EvalMetrics> byKind, Map<String, EvalMetrics> byConcept,
            EvalMetrics seen, EvalMetrics heldOut, AttributeAccuracy attributeAccuracy, LanguageAmbiguity languageAmbiguity) {
    }

    /**
     * @param set the data set
     * @param predictions predictions at or above the threshold, by pair id (pairs without any may be absent)
     * @param heldOut held-out combinations
     * @param probes extra phrasings asked, may be empty
     * @param probePredictions their predictions at or above the threshold, by probe id
     * @param progress told after each pair
     */
    static Scores score(EvalSet set, Map<Long, List<Instance>> predictions, HeldOut heldOut,
            List<Probe> probes, Map<Long, List<Instance>> probePredictions, ProgressListener progress) {
        MetricsAccumulator all = new MetricsAccumulator();
        Map<ConceptKind, MetricsAccumulator> kinds = new EnumMap<>(ConceptKind.class);
        Map<String, MetricsAccumulator> concepts = new TreeMap<>();
        MetricsAccumulator seen = new MetricsAccumulator();
        MetricsAccumulator held = new MetricsAccumulator();
        int attrPredictions = 0;
        int attrMatched = 0;
        Map<String, List<List<Instance>>> phrasings = new LinkedHashMap<>();
        int done = 0;
        for (EvalSet.Entry e : set.entries) {
            List<Instance> dts = predictions.getOrDefault(e.pair().id(), List.of());
            PairOutcome o = PairOutcome.match(e.groundTruths(), dts);
            ConceptPhrase c = e.concept();
            all.add(o);
            kinds.computeIfAbsent(c.kind(), k -> new MetricsAccumulator()).add(o);
            concepts.computeIfAbsent(c.canonical(), k -> new MetricsAccumulator()).add(o);
            if (c.kind() == ConceptKind.FINISH_PART) {
                (heldOut.contains(c) ? held : seen).add(o);
                attrPredictions += o.predictions();
                attrMatched += o.truePositives(MetricsAccumulator.IOU_THRESHOLDS[0]);
            }
            phrasings.computeIfAbsent(groupKey(e.pair().file(), c.canonical()), k -> new ArrayList<>()).add(dts);
            progress.progress(++done, set.entries.size(), e.pair().fileName() + " \"" + e.pair().phrase() + "\"");
        }
        for (Probe p : probes) {
            phrasings.computeIfAbsent(groupKey(p.file(), p.canonical()), k -> new ArrayList<>())
                    .add(probePredictions.getOrDefault(p.id(), List.of()));
        }
        Map<String, EvalMetrics> byKind = new LinkedHashMap<>();
        kinds.forEach((k, acc) -> byKind.put(k.label(), acc.metrics()));
        Map<String, EvalMetrics> byConcept = new LinkedHashMap<>();
        concepts.forEach((k, acc) -> byConcept.put(k, acc.metrics()));
        AttributeAccuracy attr = new AttributeAccuracy(attrPredictions == 0 ? 0 : (double) attrMatched / attrPredictions,
                attrPredictions, attrMatched);
        return new Scores(all.metrics(), byKind, byConcept, seen.metrics(), held.metrics(), attr,
                ambiguity(phrasings.values(), probes.size()));
    }

    private static String groupKey(Path file, String canonical) {
        return file.toString() + '\u0000' + canonical;
    }

    /** Compares every two phrasings of a concept on an image: IoU of their union masks, and presence. */
    static LanguageAmbiguity ambiguity(Iterable<List<List<Instance>>> groups, int probes) {
        double agreementSum = 0;
        int presenceAgree = 0;
        int comparisons = 0;
        for (List<List<Instance>> group : groups) {
            for (int a = 0; a < group.size(); a++) {
                for (int b = a + 1; b < group.size(); b++) {
                    RunMask ua = union(group.get(a));
                    RunMask ub = union(group.get(b));
                    long inter = ua.intersection(ub);
                    long uni = ua.area + ub.area - inter;
                    // two empty answers agree completely
                    agreementSum += uni == 0 ? 1 : (double) inter / uni;
                    if (group.get(a).isEmpty() == group.get(b).isEmpty()) {
                        presenceAgree++;
                    }
                    comparisons++;
                }
            }
        }
        return new LanguageAmbiguity(comparisons == 0 ? Double.NaN : agreementSum / comparisons,
                comparisons == 0 ? Double.NaN : (double) presenceAgree / comparisons, comparisons, probes);
    }

    private static RunMask union(List<Instance> instances) {
        if (instances.isEmpty()) {
            return RunMask.empty(0, 0);
        }
        RunMask first = instances.get(0).mask();
        return RunMask.union(instances.stream().map(Instance::mask).toList(), first.height, first.width);
    }
}

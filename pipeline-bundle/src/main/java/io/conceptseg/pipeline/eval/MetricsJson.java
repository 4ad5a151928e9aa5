package io.conceptseg.pipeline.eval;

import io.conceptseg.api.ErrorBreakdown;
import io.conceptseg.api.EvalMetrics;
import io.conceptseg.api.EvalReport;
import io.conceptseg.commons.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The metrics.json of an evaluation: every number of the report, with the definitions used. */
final class MetricsJson {
    private MetricsJson() {
    }

    static final Map<String, String> DEFINITIONS = definitions();

    /** The document, pretty enough to diff: one key per line at the top level. */
    static String write(EvalReport r, String heldOutSource) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", r.dataset().toString());
        m.put("predictions", r.predictions() == null ? null : r.predictions().toString());
        m.put("backend", r.backendId());
        m.put("score_threshold", r.threshold());
        m.put("iou_thresholds", thresholds());
        m.put("images", (long) r.images());
        m.put("seconds", round(r.seconds()));
        m.put("overall", metrics(r.overall()));
        Map<String, Object> kinds = new LinkedHashMap<>();
        r.byKind().forEach((k, v) -> kinds.put(k, metrics(v)));
        m.put("by_kind", kinds);
        Map<String, Object> concepts = new LinkedHashMap<>();
        r.byConcept().forEach((k, v) -> concepts.put(k, metrics(v)));
        m.put("by_concept", concepts);
        Map<String, Object> ov = new LinkedHashMap<>();
        ov.put("held_out_combinations", r.heldOutCombinations());
        ov.put("held_out_source", heldOutSource);
        ov.put("seen", metrics(r.seen()));
        ov.put("held_out", metrics(r.heldOut()));
        m.put("open_vocabulary", ov);
        Map<String, Object> attr = new LinkedHashMap<>();
        attr.put("accuracy", num(r.attributeAccuracy().accuracy()));
        attr.put("predictions", (long) r.attributeAccuracy().predictions());
        attr.put("matched", (long) r.attributeAccuracy().matched());
        m.put("attribute_accuracy", attr);
        Map<String, Object> amb = new LinkedHashMap<>();
        amb.put("mask_agreement", num(r.languageAmbiguity().maskAgreement()));
        amb.put("presence_agreement", num(r.languageAmbiguity().presenceAgreement()));
        amb.put("comparisons", (long) r.languageAmbiguity().comparisons());
        amb.put("probes", (long) r.languageAmbiguity().probes());
        m.put("language_ambiguity", amb);
        m.put("definitions", DEFINITIONS);
        StringBuilder b = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, Object> e : m.entrySet()) {
            b.append(first ? "\n  " : ",\n  ");
            first = false;
            Json.write(b, e.getKey());
            b.append(": ");
            Json.write(b, e.getValue());
        }
        return b.append("\n}\n").toString();
    }

    /** One metrics object, keys as in the SA-Co reference evaluator where it has one. */
    static Map<String, Object> metrics(EvalMetrics x) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pairs", (long) x.pairs());
        m.put("positive_pairs", (long) x.positivePairs());
        m.put("ground_truths", (long) x.groundTruths());
        m.put("predictions", (long) x.predictions());
        m.put("cgF1", num(x.cgF1()));
        m.put("pmF1", num(x.pmF1()));
        m.put("IL_MCC", num(x.ilMcc()));
        m.put("F1@0.5", num(x.f1At50()));
        m.put("precision@0.5", num(x.precisionAt50()));
        m.put("concept_recall", num(x.conceptRecall()));
        m.put("grounding_error", num(x.groundingError()));
        m.put("IL_TP", (long) x.ilTp());
        m.put("IL_FP", (long) x.ilFp());
        m.put("IL_TN", (long) x.ilTn());
        m.put("IL_FN", (long) x.ilFn());
        m.put("TP@0.5", (long) x.tpAt50());
        m.put("FP@0.5", (long) x.fpAt50());
        m.put("FN@0.5", (long) x.fnAt50());
        List<Object> byIou = new ArrayList<>();
        x.pmF1ByIou().forEach(v -> byIou.add(num(v)));
        m.put("pmF1_by_iou", byIou);
        ErrorBreakdown errors = x.errors();
        if (errors != null) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("fp_absent_concept", (long) errors.fpAbsentConcept());
            e.put("fp_duplicate", (long) errors.fpDuplicate());
            e.put("fp_poorly_localised", (long) errors.fpPoorlyLocalised());
            e.put("fp_background", (long) errors.fpBackground());
            e.put("fn_poorly_localised", (long) errors.fnPoorlyLocalised());
            e.put("fn_missed", (long) errors.fnMissed());
            m.put("errors@0.5", e);
        }
        return m;
    }

    private static List<Object> thresholds() {
        List<Object> t = new ArrayList<>();
        for (double v : MetricsAccumulator.IOU_THRESHOLDS) {
            t.add(round(v));
        }
        return t;
    }

    /** JSON has no NaN: undefined numbers are null. */
    private static Object num(double v) {
        return Double.isFinite(v) ? round(v) : null;
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    private static Map<String, String> definitions() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("pair", "one \"images\" entry: an (image, noun phrase) pair; positive when it has at least one annotation");
        d.put("matching", "per pair, predictions scoring >= score_threshold are matched one-to-one to the annotations by mask IoU,"
                + " maximising the total IoU (Hungarian); at IoU threshold t a match with IoU >= t is a TP, other predictions FP, other annotations FN");
        d.put("pmF1", "micro F1 = 2TP/(2TP+FP+FN) over the positive pairs at each IoU threshold, averaged over the thresholds");
        d.put("IL_MCC", "Matthews correlation over all pairs of 'at least one prediction' vs 'at least one annotation';"
                + " 0 when a factor of its denominator is 0 (all pairs agree on one side of a decision)");
        d.put("cgF1", "100 x pmF1 x IL_MCC");
        d.put("F1@0.5", "micro F1 at IoU 0.5 over all pairs (predictions on negative pairs are FP)");
        d.put("concept_recall", "TP/(TP+FN) at IoU 0.5");
        d.put("grounding_error", "mean over matches with IoU >= 0.5 of the mean |difference| of [x, y, w, h] boxes,"
                + " x and w divided by the image width, y and h by its height; null when nothing matched");
        d.put("attribute_accuracy", "share of the predictions on '<finish> <part>' prompts that match an annotation of the prompt at IoU 0.5."
                + " SA-Co files carry no per-instance finish, so an instance of the prompted finish is an annotation of the prompt"
                + " (matched precision on finish+part prompts, hard negatives included)");
        d.put("open_vocabulary", "the metrics on finish+part pairs whose combination was held out of training, next to the seen ones");
        d.put("language_ambiguity", "for every two phrasings of one concept on one image (synonyms, singular/plural; data set pairs"
                + " plus the probes the evaluation asked itself), the IoU of their union masks (two empty answers: 1),"
                + " averaged; presence_agreement: share agreeing on 'at least one prediction'; null when nothing was compared");
        d.put("errors@0.5", "every FP@0.5 and FN@0.5 in one class, by its best mask IoU with any annotation (for a prediction) or"
                + " prediction (for an annotation) of its pair: fp_absent_concept = predictions on negative pairs; fp_duplicate ="
                + " unmatched predictions with best IoU >= 0.5 (an object another prediction took); fp_poorly_localised = best IoU"
                + " in [" + ErrorBreakdown.LOCALISATION_FLOOR + ", 0.5); fp_background = best IoU below " + ErrorBreakdown.LOCALISATION_FLOOR
                + " (background or another concept's object); fn_poorly_localised = unmatched annotations with best IoU >= "
                + ErrorBreakdown.LOCALISATION_FLOOR + "; fn_missed = the rest");
        d.put("zero_denominators", "every ratio whose denominator is 0 is 0 (the reference evaluator's epsilons give the same)");
        return d;
    }
}

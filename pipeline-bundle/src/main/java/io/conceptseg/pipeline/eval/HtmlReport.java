package io.conceptseg.pipeline.eval;

import io.conceptseg.api.ErrorBreakdown;
import io.conceptseg.api.EvalMetrics;
import io.conceptseg.api.EvalReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report.html of an evaluation: one self-contained page (inline CSS and SVG, no scripts, no
 * external resources) with bar charts of cgF1, pmF1 and IL_MCC per concept kind, seen vs held-out
 * combinations and per concept, then the full tables and the definitions.
 */
final class HtmlReport {
    private HtmlReport() {
    }

    private static final String[] SERIES = {"cgF1", "pmF1 x 100", "IL_MCC x 100"};
    private static final String[] COLORS = {"#2b6cb0", "#2f855a", "#c05621"};
    private static final int LABEL_W = 190;
    private static final int PLOT_W = 460;
    private static final int VALUE_W = 60;
    private static final int BAR_H = 9;
    private static final int ROW_GAP = 10;
    private static final int TOP = 30;

    static String render(EvalReport r, String heldOutSource) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>ConceptSeg evaluation: ")
                .append(esc(r.dataset().getFileName() == null ? r.dataset().toString() : r.dataset().getFileName().toString()))
                .append("</title>\n<style>\n")
                .append("body{font-family:system-ui,sans-serif;margin:2em;color:#1a202c;max-width:1100px}")
                .append("table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #cbd5e0;padding:3px 7px;text-align:right}")
                .append("th{background:#edf2f7}td:first-child,th:first-child{text-align:left}")
                .append(".big{font-size:2em;font-weight:600}.note{color:#4a5568;font-size:0.9em}")
                .append("dt{font-weight:600;margin-top:0.4em}svg text{font-family:system-ui,sans-serif;font-size:11px}\n")
                .append("</style>\n</head>\n<body>\n");
        h.append("<h1>ConceptSeg evaluation (SA-Co protocol)</h1>\n<table>\n");
        row(h, "data set", r.dataset().toString());
        row(h, "predictions", r.predictions() == null ? "(model run, not kept)" : r.predictions().toString());
        row(h, "backend", r.backendId() == null ? "(predictions file)" : r.backendId());
        row(h, "score threshold", fmt(r.threshold(), 2));
        row(h, "images / pairs / positive pairs", r.images() + " / " + r.overall().pairs() + " / " + r.overall().positivePairs());
        row(h, "time", fmt(r.seconds(), 1) + " s");
        h.append("</table>\n");
        EvalMetrics o = r.overall();
        h.append("<p><span class=\"big\">cgF1 ").append(fmt(o.cgF1(), 2)).append("</span> &nbsp; pmF1 ").append(fmt(o.pmF1(), 3))
                .append(" &nbsp; IL_MCC ").append(fmt(o.ilMcc(), 3)).append(" &nbsp; F1@0.5 ").append(fmt(o.f1At50(), 3))
                .append(" &nbsp; concept recall ").append(fmt(o.conceptRecall(), 3)).append("</p>\n");
        h.append("<p>attribute accuracy ").append(fmt(r.attributeAccuracy().accuracy(), 3)).append(" (")
                .append(r.attributeAccuracy().matched()).append(" of ").append(r.attributeAccuracy().predictions())
                .append(" predictions on finish+part prompts) &nbsp; language ambiguity: mask agreement ")
                .append(fmt(r.languageAmbiguity().maskAgreement(), 3)).append(", presence agreement ")
                .append(fmt(r.languageAmbiguity().presenceAgreement(), 3)).append(" over ")
                .append(r.languageAmbiguity().comparisons()).append(" phrasing pairs (")
                .append(r.languageAmbiguity().probes()).append(" probes asked)</p>\n");

        h.append("<h2>By concept kind</h2>\n").append(chart(r.byKind()));
        Map<String, EvalMetrics> ov = new LinkedHashMap<>();
        ov.put("seen combinations", r.seen());
        ov.put("held-out combinations", r.heldOut());
        h.append("<h2>Open vocabulary: seen vs held-out finish+part combinations</h2>\n")
                .append("<p class=\"note\">held out (").append(esc(heldOutSource)).append("): ")
                .append(esc(String.join(", ", r.heldOutCombinations()))).append("</p>\n").append(chart(ov));
        Map<String, EvalMetrics> concepts = new LinkedHashMap<>();
        r.byConcept().forEach((k, v) -> concepts.put(r.heldOutCombinations().contains(k) ? k + " [held out]" : k, v));
        h.append("<h2>By concept</h2>\n").append(chart(concepts));

        h.append("<h2>Tables</h2>\n");
        Map<String, EvalMetrics> top = new LinkedHashMap<>();
        top.put("all pairs", r.overall());
        r.byKind().forEach((k, v) -> top.put("kind: " + k, v));
        top.putAll(ov);
        table(h, top);
        h.append("<h2>Errors at IoU 0.5</h2>\n<p class=\"note\">Every unmatched prediction (FP) and annotation (FN), classed by"
                + " its best mask IoU in its pair: recognition errors are FPs on absent concepts and on background or other"
                + " objects; localisation errors are the poorly localised ones (definitions below).</p>\n");
        errorTable(h, top);
        table(h, concepts);
        h.append("<h2>Definitions</h2>\n<dl>\n");
        MetricsJson.DEFINITIONS.forEach((k, v) -> h.append("<dt>").append(esc(k)).append("</dt><dd>").append(esc(v)).append("</dd>\n"));
        h.append("</dl>\n</body>\n</html>\n");
        return h.toString();
    }

    /** A horizontal grouped bar chart, one group of three bars per row; negative MCC bars run left of 0. */
    static String chart(Map<String, EvalMetrics> rows) {
        if (rows.isEmpty()) {
            return "<p class=\"note\">no pairs</p>\n";
        }
        List<double[]> values = new ArrayList<>();
        boolean negative = false;
        for (EvalMetrics m : rows.values()) {
            double[] v = {m.cgF1(), 100 * m.pmF1(), 100 * m.ilMcc()};
            for (double x : v) {
                negative |= x < 0;
            }
            values.add(v);
        }
        double lo = negative ? -100 : 0;
        double hi = 100;
        int rowH = 3 * BAR_H + ROW_GAP;
        int height = TOP + rows.size() * rowH + 20;
        int width = LABEL_W + PLOT_W + VALUE_W;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\" role=\"img\">\n");
        for (int k = 0; k < SERIES.length; k++) {
            int x = LABEL_W + k * 130;
            s.append("<rect x=\"").append(x).append("\" y=\"6\" width=\"12\" height=\"10\" fill=\"").append(COLORS[k]).append("\"/>")
                    .append("<text x=\"").append(x + 16).append("\" y=\"15\">").append(SERIES[k]).append("</text>\n");
        }
        int plotBottom = TOP + rows.size() * rowH;
        for (double g = lo; g <= hi + 1e-9; g += 20) {
            double x = xOf(g, lo, hi);
            s.append("<line x1=\"").append(fmt(x, 1)).append("\" y1=\"").append(TOP - 4).append("\" x2=\"").append(fmt(x, 1))
                    .append("\" y2=\"").append(plotBottom).append("\" stroke=\"").append(g == 0 ? "#4a5568" : "#e2e8f0").append("\"/>")
                    .append("<text x=\"").append(fmt(x, 1)).append("\" y=\"").append(plotBottom + 14)
                    .append("\" text-anchor=\"middle\">").append((int) g).append("</text>\n");
        }
        int i = 0;
        double zero = xOf(0, lo, hi);
        for (Map.Entry<String, EvalMetrics> e : rows.entrySet()) {
            int y = TOP + i * rowH;
            s.append("<text x=\"").append(LABEL_W - 6).append("\" y=\"").append(y + 3 * BAR_H / 2 + 4).append("\" text-anchor=\"end\">")
                    .append(esc(e.getKey())).append(" (").append(e.getValue().pairs()).append(")</text>\n");
            double[] v = values.get(i);
            for (int k = 0; k < v.length; k++) {
                double x = xOf(v[k], lo, hi);
                double left = Math.min(x, zero);
                double w = Math.max(Math.abs(x - zero), v[k] == 0 ? 0 : 0.5);
                int by = y + k * BAR_H;
                s.append("<rect x=\"").append(fmt(left, 1)).append("\" y=\"").append(by).append("\" width=\"").append(fmt(w, 1))
                        .append("\" height=\"").append(BAR_H - 1).append("\" fill=\"").append(COLORS[k]).append("\"><title>")
                        .append(esc(e.getKey())).append(' ').append(SERIES[k]).append(' ').append(fmt(v[k], 1)).append("</title></rect>")
                        .append("<text x=\"").append(fmt(Math.max(x, zero) + 4, 1)).append("\" y=\"").append(by + BAR_H - 1)
                        .append("\" font-size=\"9\">").append(fmt(v[k], 1)).append("</text>\n");
            }
            i++;
        }
        return s.append("</svg>\n").toString();
    }

    private static double xOf(double v, double lo, double hi) {
        double c = Math.max(lo, Math.min(hi, v));
        return LABEL_W + (c - lo) / (hi - lo) * PLOT_W;
    }

    private static void table(StringBuilder h, Map<String, EvalMetrics> rows) {
        h.append("<table>\n<tr><th>set</th><th>pairs</th><th>positive</th><th>GT</th><th>predictions</th><th>cgF1</th><th>pmF1</th>")
                .append("<th>IL_MCC</th><th>F1@0.5</th><th>precision@0.5</th><th>concept recall</th><th>grounding error</th>")
                .append("<th>IL TP/FP/TN/FN</th></tr>\n");
        rows.forEach((k, m) -> h.append("<tr><td>").append(esc(k)).append("</td><td>").append(m.pairs()).append("</td><td>")
                .append(m.positivePairs()).append("</td><td>").append(m.groundTruths()).append("</td><td>").append(m.predictions())
                .append("</td><td>").append(fmt(m.cgF1(), 2)).append("</td><td>").append(fmt(m.pmF1(), 3)).append("</td><td>")
                .append(fmt(m.ilMcc(), 3)).append("</td><td>").append(fmt(m.f1At50(), 3)).append("</td><td>")
                .append(fmt(m.precisionAt50(), 3)).append("</td><td>").append(fmt(m.conceptRecall(), 3)).append("</td><td>")
                .append(fmt(m.groundingError(), 4)).append("</td><td>").append(m.ilTp()).append('/').append(m.ilFp()).append('/')
                .append(m.ilTn()).append('/').append(m.ilFn()).append("</td></tr>\n"));
        h.append("</table>\n");
    }

    private static void errorTable(StringBuilder h, Map<String, EvalMetrics> rows) {
        h.append("<table>\n<tr><th>set</th><th>FP@0.5</th><th>on absent concept</th><th>duplicate</th><th>poorly localised</th>")
                .append("<th>background / other object</th><th>FN@0.5</th><th>poorly localised</th><th>missed</th></tr>\n");
        rows.forEach((k, m) -> {
            ErrorBreakdown e = m.errors();
            if (e != null) {
                h.append("<tr><td>").append(esc(k)).append("</td><td>").append(m.fpAt50()).append("</td><td>").append(e.fpAbsentConcept())
                        .append("</td><td>").append(e.fpDuplicate()).append("</td><td>").append(e.fpPoorlyLocalised()).append("</td><td>")
                        .append(e.fpBackground()).append("</td><td>").append(m.fnAt50()).append("</td><td>").append(e.fnPoorlyLocalised())
                        .append("</td><td>").append(e.fnMissed()).append("</td></tr>\n");
            }
        });
        h.append("</table>\n");
    }

    private static void row(StringBuilder h, String key, String value) {
        h.append("<tr><th>").append(esc(key)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
    }

    static String fmt(double v, int digits) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + digits + "f", v) : "n/a";
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}

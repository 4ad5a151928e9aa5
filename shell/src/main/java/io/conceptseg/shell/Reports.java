package io.conceptseg.shell;

import io.conceptseg.api.BenchReport;
import io.conceptseg.api.BoundingBox;
import io.conceptseg.api.Detection;
import io.conceptseg.api.LatencyStats;
import io.conceptseg.api.PredictReport;
import io.conceptseg.api.PromptResult;
import io.conceptseg.api.SegmentReport;
import io.conceptseg.api.SegmentResult;
import io.conceptseg.api.backend.BackendStatus;
import io.conceptseg.api.model.ModelDescriptor;
import io.conceptseg.api.model.ModelPackage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The text the {@code cs} commands print: pure functions from API values to strings, so that
 * formatting is tested without a framework. Numbers use a fixed locale so scripts can parse them.
 */
final class Reports {
    private Reports() {
    }

    /** The backend table, with the current selection on the first line. */
    static String backends(String selection, List<BackendStatus> backends) {
        if (backends.isEmpty()) {
            return "selection: " + selection + "\n"
                    + "no backend is registered: start a backend bundle (e.g. io.conceptseg.backend.onnx)\n";
        }
        String active = backends.stream().filter(BackendStatus::active).map(BackendStatus::id).findFirst().orElse("none");
        TextTable table = new TextTable("ID", "PRIORITY", "AVAILABLE", "DEVICES", "ACTIVE", "LOADED STAGES", "LAST LATENCY");
        for (BackendStatus b : backends) {
            table.row(b.id(), b.priority(), availability(b), join(b.devices()), b.active() ? "*" : "",
                    join(b.loadedStages()), Double.isNaN(b.lastLatencyMillis()) ? "-" : millis(b.lastLatencyMillis()));
        }
        return "selection: " + selection + " (active: " + active + ")\n" + table;
    }

    private static String availability(BackendStatus b) {
        String reason = b.availability().reason() == null ? "" : b.availability().reason().strip();
        if (b.availability().available()) {
            return reason.isEmpty() ? "yes" : "yes (" + reason + ")";
        }
        return reason.isEmpty() ? "no" : "no: " + reason;
    }

    /** What {@code cs:backend} prints after a selection. */
    static String selected(String requested, List<BackendStatus> after) {
        String active = after.stream().filter(BackendStatus::active).map(BackendStatus::id).findFirst().orElse(null);
        if (active == null || active.equals(requested)) {
            return "selected backend " + requested + "\n";
        }
        return "selected backend " + requested + " (now " + active + ")\n";
    }

    /** The model table; the registry lists the default model first. */
    static String models(List<ModelPackage> models) {
        if (models.isEmpty()) {
            return "no model is installed: start a model bundle (e.g. io.conceptseg.model.inspection)"
                    + " or set CONCEPTSEG_MODEL_DIR to a folder holding model packages\n";
        }
        TextTable table = new TextTable("ID", "DEFAULT", "ARCHITECTURE", "IMAGE", "D_MODEL", "QUERIES", "STAGES", "ORIGIN");
        boolean first = true;
        for (ModelPackage m : models) {
            ModelDescriptor d = m.descriptor();
            table.row(d.id(), first ? "*" : "", d.architecture(), d.image() == null ? null : d.image().size(),
                    dim(d, "d_model"), dim(d, "queries"), String.join(",", d.stages().keySet()), m.origin());
            first = false;
        }
        return table.toString();
    }

    private static String dim(ModelDescriptor d, String name) {
        Double v = d.dims() == null ? null : d.dims().get(name);
        return v == null ? "-" : String.valueOf(v.intValue());
    }

    /** One line per detection (phrase, score, box, area), a line per phrase found nowhere, then the files written. */
    static String segment(SegmentReport report) {
        SegmentResult r = report.result();
        double total = r.stageMillis().values().stream().mapToDouble(Double::doubleValue).sum();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%s (%dx%d): %d detection%s, model %s, backend %s, %s%n",
                r.imageName(), r.width(), r.height(), r.detections().size(), r.detections().size() == 1 ? "" : "s",
                r.modelId(), r.backendId(), millis(total)));
        TextTable table = new TextTable("PHRASE", "SCORE", "BOX [x, y, w, h]", "AREA");
        for (PromptResult pr : r.results()) {
            if (pr.detections().isEmpty()) {
                table.row(pr.prompt().label(), "-", String.format(Locale.ROOT, "none (presence %.3f)", pr.presence()));
            }
            for (Detection d : pr.detections()) {
                table.row(d.label(), String.format(Locale.ROOT, "%.3f", d.score()), box(d.box()), d.area());
            }
        }
        out.append(table);
        for (Path p : report.written()) {
            out.append("wrote ").append(p).append('\n');
        }
        return out.toString();
    }

    static String box(BoundingBox b) {
        return String.format(Locale.ROOT, "[%.1f, %.1f, %.1f, %.1f]", b.x(), b.y(), b.width(), b.height());
    }

    /** The one-paragraph summary of a data set prediction. */
    static String predict(PredictReport r) {
        return String.format(Locale.ROOT, "wrote %d detection%s for %d (image, phrase) pair%s over %d image%s to %s%n"
                        + "backend %s, %.1f s (%.1f images/s)%n",
                r.detections(), r.detections() == 1 ? "" : "s", r.pairs(), r.pairs() == 1 ? "" : "s",
                r.images(), r.images() == 1 ? "" : "s", r.output(), r.backendId(), r.seconds(),
                r.seconds() > 0 ? r.images() / r.seconds() : 0.0);
    }

    /** Per-stage p50/p95, the whole pipeline, the direct stage calls, and the overhead ratio. */
    static String bench(BenchReport r, int warmup) {
        StringBuilder out = new StringBuilder();
        int runs = r.pipeline() == null ? 0 : r.pipeline().runs();
        out.append(String.format(Locale.ROOT, "backend %s, model %s, %d prompt%s, %d run%s after %d warm-up%s%n",
                r.backendId(), r.modelId(), r.prompts(), r.prompts() == 1 ? "" : "s", runs, runs == 1 ? "" : "s",
                warmup, warmup == 1 ? "" : "s"));
        TextTable table = new TextTable("STAGE", "RUNS", "P50 MS", "P95 MS", "MEAN MS");
        for (LatencyStats s : r.stages()) {
            latencyRow(table, s.name(), s);
        }
        latencyRow(table, "pipeline", r.pipeline());
        latencyRow(table, "direct", r.direct());
        out.append(table);
        out.append(String.format(Locale.ROOT, "overhead ratio (pipeline p50 / direct p50): %.2f%n", r.overheadRatio()));
        return out.toString();
    }

    /**
     * The backend comparison: per backend and prompt count, pipeline p50/p95, images per second,
     * the overhead ratio, and p50 relative to the baseline's at the same prompt count.
     */
    static String benchBackends(List<BenchReport> reports, String baseline, int warmup) {
        if (reports.isEmpty()) {
            return "no backend was measured\n";
        }
        String base = baseline != null ? baseline : reports.get(0).backendId();
        BenchReport first = reports.get(0);
        int runs = first.pipeline() == null ? 0 : first.pipeline().runs();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "model %s, %d run%s after %d warm-up%s, baseline %s%n",
                first.modelId(), runs, runs == 1 ? "" : "s", warmup, warmup == 1 ? "" : "s", base));
        TextTable table = new TextTable("BACKEND", "PROMPTS", "P50 MS", "P95 MS", "IMAGES/S", "OVERHEAD", "P50 VS " + base.toUpperCase(Locale.ROOT));
        for (BenchReport r : reports) {
            table.row(r.backendId(), r.prompts(), number(r.pipeline().p50()), number(r.pipeline().p95()),
                    String.format(Locale.ROOT, "%.1f", r.imagesPerSecond()), String.format(Locale.ROOT, "%.2f", r.overheadRatio()),
                    ratio(r.ratioTo(base, reports)));
        }
        return out.append(table).toString();
    }

    private static String ratio(double r) {
        return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.2fx", r);
    }

    private static void latencyRow(TextTable table, String name, LatencyStats s) {
        if (s == null) {
            table.row(name, "-", "-", "-", "-");
        } else {
            table.row(name, s.runs(), number(s.p50()), number(s.p95()), number(s.mean()));
        }
    }

    static String millis(double ms) {
        return number(ms) + " ms";
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.1f", v);
    }

    private static String join(List<String> items) {
        return items.isEmpty() ? "-" : String.join(", ", items);
    }
}

package io.conceptseg.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ConceptPrompt;
import io.conceptseg.api.ConceptSegmenter;
import io.conceptseg.api.Detection;
import io.conceptseg.api.EvalMetrics;
import io.conceptseg.api.EvalOptions;
import io.conceptseg.api.EvaluationTasks;
import io.conceptseg.api.ProgressListener;
import io.conceptseg.api.SegmentOptions;
import io.conceptseg.api.SegmentRequest;
import io.conceptseg.api.SegmentResult;
import io.conceptseg.api.image.ImageData;
import io.conceptseg.api.image.ImageDecoder;
import io.conceptseg.commons.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.osgi.test.common.annotation.InjectService;

/**
 * The embedded default model is a trained one: on the shipped samples, at the model's own score
 * threshold, it finds the parts and defects that are there and stays quiet about parts that are
 * not. The floors sit below what the shipped package measures (figures printed by the test) so
 * that a random or broken model fails, not a retrained one that is as good.
 */
class EmbeddedModelTest {
    static final Path SAMPLES = SegmentInFelixTest.ROOT.resolve("samples");
    static final List<String> PARTS = List.of("washer", "nut", "screw", "gear");

    /** Floors; inspection-v19 measures 17/18 kinds found, 0/4 absent parts detected, mini data set F1@0.5 0.735, IL_MCC 0.833 (onnx). */
    static final double MIN_KINDS_FOUND = 0.5;
    static final double MAX_ABSENT_PARTS_DETECTED = 0.5;
    static final double MIN_MINI_DATASET_F1_AT_50 = 0.5;
    static final double MIN_MINI_DATASET_IL_MCC = 0.45;

    @InjectService(timeout = 20000)
    ConceptSegmenter segmenter;

    @InjectService(timeout = 20000)
    ImageDecoder decoder;

    @Test
    void findsWhatIsOnTheSamplesAndNotWhatIsNot() throws Exception {
        JsonObject truth = JsonObject.parse("ground-truth.json", Files.readString(SAMPLES.resolve("ground-truth.json")));
        JsonObject files = truth.object("files");
        int present = 0;
        int found = 0;
        int absent = 0;
        int falseAlarms = 0;
        List<String> log = new ArrayList<>();
        for (String file : files.map().keySet()) {
            JsonObject entry = files.object(file);
            List<double[]> boxes = new ArrayList<>();
            List<String> kinds = new ArrayList<>();
            for (int i = 0; i < entry.array("instances").size(); i++) {
                JsonObject inst = entry.objectAt("instances", i);
                kinds.add(inst.string("kind"));
                List<Object> b = inst.array("bbox");
                boxes.add(new double[] {num(b, 0), num(b, 1), num(b, 2), num(b, 3)});
            }
            ImageData image = decoder.decode(SAMPLES.resolve(file));
            Set<String> there = new LinkedHashSet<>(kinds);
            for (String kind : there) {
                present++;
                boolean hit = false;
                for (Detection d : detections(image, kind)) {
                    for (int i = 0; i < kinds.size(); i++) {
                        hit |= kinds.get(i).equals(kind) && boxIou(d, boxes.get(i)) >= 0.5;
                    }
                }
                found += hit ? 1 : 0;
                log.add(file + " '" + kind + "': " + (hit ? "found" : "missed"));
            }
            for (String part : PARTS) {
                if (!there.contains(part)) {
                    absent++;
                    int n = detections(image, part).size();
                    falseAlarms += n > 0 ? 1 : 0;
                    log.add(file + " '" + part + "' (absent): " + n + " detections");
                }
            }
        }
        System.out.println("[embedded model] " + String.join("; ", log));
        System.out.printf("[embedded model] kinds found %d/%d, absent parts detected %d/%d%n", found, present, falseAlarms, absent);
        assertTrue(found >= MIN_KINDS_FOUND * present, "kinds found " + found + "/" + present + ": " + log);
        assertTrue(falseAlarms <= MAX_ABSENT_PARTS_DETECTED * absent, "absent parts detected " + falseAlarms + "/" + absent + ": " + log);
    }

    @Test
    void scoresTheMiniDatasetWellAboveChance(@InjectService(timeout = 20000) EvaluationTasks eval) {
        EvalMetrics m = eval.evaluate(SAMPLES.resolve("mini-dataset"),
                new EvalOptions(null, null, EvalOptions.DEFAULT_THRESHOLD, null, false, null), ProgressListener.NONE).overall();
        System.out.printf("[embedded model] mini-dataset: cgF1 %.1f, IL_MCC %.3f, F1@0.5 %.3f, pmF1 %.3f%n",
                m.cgF1(), m.ilMcc(), m.f1At50(), m.pmF1());
        assertTrue(m.f1At50() >= MIN_MINI_DATASET_F1_AT_50, "F1@0.5 " + m.f1At50());
        assertTrue(m.ilMcc() >= MIN_MINI_DATASET_IL_MCC, "IL_MCC " + m.ilMcc());
    }

    private List<Detection> detections(ImageData image, String phrase) {
        SegmentResult r = segmenter.segment(new SegmentRequest(image, List.of(ConceptPrompt.text(phrase)), SegmentOptions.DEFAULTS));
        return r.detections();
    }

    private static double num(List<Object> list, int i) {
        return ((Number) list.get(i)).doubleValue();
    }

    /** IoU of a detection's box with an [x, y, w, h] box. */
    private static double boxIou(Detection d, double[] b) {
        double x0 = Math.max(d.box().x(), b[0]);
        double y0 = Math.max(d.box().y(), b[1]);
        double x1 = Math.min(d.box().x() + d.box().width(), b[0] + b[2]);
        double y1 = Math.min(d.box().y() + d.box().height(), b[1] + b[3]);
        double inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
        double union = d.box().width() * d.box().height() + b[2] * b[3] - inter;
        return union <= 0 ? 0 : inter / union;
    }
}

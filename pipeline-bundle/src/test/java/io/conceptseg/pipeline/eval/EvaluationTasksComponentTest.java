package io.conceptseg.pipeline.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ErrorBreakdown;
import io.conceptseg.api.EvalMetrics;
import io.conceptseg.api.EvalOptions;
import io.conceptseg.api.EvalReport;
import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.SegmentOptions;
import io.conceptseg.commons.json.Json;
import io.conceptseg.commons.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation service end to end on files: hand-computed metrics, the sample set, bad inputs. */
class EvaluationTasksComponentTest {
    private static final double EPS = 1e-9;

    @TempDir
    Path tmp;

    private static Path samples() {
        return Path.of(System.getProperty("conceptseg.root", "..")).resolve("samples/mini-dataset").toAbsolutePath().normalize();
    }

    /**
     * Image a.png and b.png, 1 x 30 pixels; masks are column intervals [from, to).
     * 1 a "washer"     GT [0,12)   prediction [0,12) 0.9             IoU 1
     * 2 a "washers"    GT [0,12)   prediction [0,10) 0.8             IoU 10/12 = 0.833
     * 3 a "brass nut"  GT [20,30)  predictions [20,30) 0.7 (IoU 1), [12,16) 0.6 (IoU 0), [0,30) 0.3 (under the threshold)
     * 4 a "red nut"    negative    prediction [20,30) 0.55
     * 5 b "scratch"    GT [0,5)    no prediction
     * 6 b "fastener"   negative    no prediction
     */
    private static LineSets partialSet() {
        return new LineSets()
                .pair(1, "a.png", "washer").pair(2, "a.png", "washers").pair(3, "a.png", "brass nut").pair(4, "a.png", "red nut")
                .pair(5, "b.png", "scratch").pair(6, "b.png", "fastener")
                .truth(1, 1, 0, 12).truth(2, 2, 0, 12).truth(3, 3, 20, 30).truth(4, 5, 0, 5)
                .predict(1, 0.9, 0, 12).predict(2, 0.8, 0, 10)
                .predict(3, 0.7, 20, 30).predict(3, 0.6, 12, 16).predict(3, 0.3, 0, 30)
                .predict(4, 0.55, 20, 30);
    }

    @Test
    void partialCaseFromAPredictionsFile() throws Exception {
        LineSets s = partialSet();
        Path data = s.writeDataset(tmp.resolve("set"));
        Path preds = s.writePredictions(tmp.resolve("preds.json"));
        Path out = tmp.resolve("report");
        EvalReport r = new EvaluationTasksComponent(null).evaluate(data, EvalOptions.fromPredictions(preds, out), null);
        EvalMetrics m = r.overall();
        // positives 1, 2, 3, 5: GT 4; predictions >= 0.5: 1 + 1 + 2 + 0 = 4, so F1 = 2TP / (2TP + 2(4 - TP)) = TP/4
        // TP: pair 1 at every threshold; pair 2 (0.833) at .50 ... .80 (7 thresholds); pair 3 at every threshold
        // -> TP 3 at 7 thresholds (F1 .75), 2 at 3 thresholds (F1 .5): pmF1 = (7 * .75 + 3 * .5) / 10 = 0.675
        assertEquals(0.675, m.pmF1(), EPS);
        // IL: 1, 2, 3 TP; 4 FP; 5 FN; 6 TN -> MCC = (3*1 - 1*1) / sqrt(4 * 4 * 2 * 2) = 2/8 = 0.25
        assertEquals(0.25, m.ilMcc(), EPS);
        // cgF1 = 100 * 0.675 * 0.25 = 16.875
        assertEquals(16.875, m.cgF1(), EPS);
        // all pairs at 0.5: TP 3, FP 1 (pair 3's [12,16)) + 1 (pair 4) = 2, FN 1 (pair 5) -> F1 = 6/9, recall 3/4
        assertEquals(2.0 / 3, m.f1At50(), EPS);
        assertEquals(0.75, m.conceptRecall(), EPS);
        assertEquals(5, m.predictions());
        // box errors: pair 1: 0; pair 2: |10 - 12| / 30 / 4 = 1/60; pair 3: 0 -> mean 1/180
        assertEquals(1.0 / 180, m.groundingError(), EPS);
        // those errors: pair 4's prediction names an absent concept; pair 3's [12,16) overlaps no annotation of its pair
        // (background); pair 5's annotation has no prediction near it (missed)
        assertEquals(new ErrorBreakdown(1, 0, 0, 1, 0, 1), m.errors());

        // kinds in report order, only those present
        assertEquals(List.of("part", "finish+part", "defect", "group"), List.copyOf(r.byKind().keySet()));
        // part (pairs 1, 2): GT 2, predictions 2, TP 2 at 7 thresholds (F1 1), 1 at 3 (F1 .5) -> (7 + 1.5) / 10 = 0.85;
        // IL TP 2 and nothing else -> (TP+FP)(TP+FN)(TN+FP)(TN+FN) = 2*2*0*0 = 0 -> MCC 0
        assertEquals(0.85, r.byKind().get("part").pmF1(), EPS);
        assertEquals(0, r.byKind().get("part").ilMcc(), 0);
        // finish+part: pair 3 GT 1, predictions 2, TP 1 at every threshold -> F1 = 2 / (2 + 1 + 0) = 2/3
        assertEquals(2.0 / 3, r.byKind().get("finish+part").pmF1(), EPS);
        // by concept: "washer" holds pairs 1 and 2
        assertEquals(2, r.byConcept().get("washer").pairs());
        assertEquals(List.of("brass nut", "fastener", "red nut", "scratch", "washer"), List.copyOf(r.byConcept().keySet()));
        // held out by default: brass nut (pair 3); seen: red nut (pair 4)
        assertEquals(1, r.heldOut().pairs());
        assertEquals(2.0 / 3, r.heldOut().pmF1(), EPS);
        assertEquals(1, r.seen().pairs());
        assertEquals(1, r.seen().ilFp());
        // attribute accuracy: predictions on finish+part prompts: pair 3 two (one matched), pair 4 one (none) -> 1/3
        assertEquals(3, r.attributeAccuracy().predictions());
        assertEquals(1, r.attributeAccuracy().matched());
        assertEquals(1.0 / 3, r.attributeAccuracy().accuracy(), EPS);
        // language ambiguity: "washer" and "washers" on a.png: unions [0,12) and [0,10) -> IoU 10/12
        assertEquals(1, r.languageAmbiguity().comparisons());
        assertEquals(10.0 / 12, r.languageAmbiguity().maskAgreement(), EPS);
        assertEquals(1.0, r.languageAmbiguity().presenceAgreement(), 0);
        assertEquals(0, r.languageAmbiguity().probes());

        assertNull(r.backendId());
        assertEquals(preds.toAbsolutePath().normalize(), r.predictions());
        assertEquals(List.of(out.resolve("metrics.json"), out.resolve("report.html")), r.written());
        JsonObject json = JsonObject.parse("metrics.json", Files.readString(out.resolve("metrics.json")));
        assertEquals(16.875, json.object("overall").number("cgF1"), 1e-6);
        assertEquals(0.25, json.object("overall").number("IL_MCC"), 1e-6);
        assertEquals(1, json.object("overall").object("errors@0.5").number("fp_absent_concept"), 0);
        assertEquals(1, json.object("overall").object("errors@0.5").number("fn_missed"), 0);
        assertEquals(0.333333, json.object("attribute_accuracy").number("accuracy"), 1e-6);
        assertEquals("generator default", json.object("open_vocabulary").string("held_out_source"));
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<svg") && html.contains("held-out combinations") && html.contains("brass nut"));
        assertTrue(html.contains("Errors at IoU 0.5"), "error table");
        assertFalse(html.contains("<script") || html.contains("src=") || html.contains("href="), "self-contained");
    }

    @Test
    void thresholdOptionChangesWhatCounts() throws Exception {
        LineSets s = partialSet();
        Path data = s.writeDataset(tmp.resolve("set"));
        Path preds = s.writePredictions(tmp.resolve("preds.json"));
        // at 0.25 pair 3 also keeps [0,30): 3 predictions there; at 0.95 nothing counts
        EvalReport low = new EvaluationTasksComponent(null).evaluate(data,
                new EvalOptions(null, preds, 0.25, null, false, null), null);
        assertEquals(6, low.overall().predictions());
        EvalReport high = new EvaluationTasksComponent(null).evaluate(data,
                new EvalOptions(null, preds, 0.95, null, false, null), null);
        assertEquals(0, high.overall().predictions());
        // no predictions: pmF1 0; IL FN 4, TN 2 -> (TP+FP) = 0 -> MCC 0
        assertEquals(0, high.overall().cgF1(), 0);
        assertEquals(4, high.overall().ilFn());
        assertTrue(high.written().isEmpty());
    }

    @Test
    void heldOutFromTheDataSetOrTheOption() throws Exception {
        LineSets s = partialSet();
        Path data = s.writeDataset(tmp.resolve("set"));
        Path preds = s.writePredictions(tmp.resolve("preds.json"));
        Path json = data.resolve("annotations.json");
        Files.writeString(json, Files.readString(json).replaceFirst("\\{", "{\"info\":{\"held_out\":[[\"red\",\"nut\"]]},"));
        EvalReport r = new EvaluationTasksComponent(null).evaluate(data, EvalOptions.fromPredictions(preds, null), null);
        assertEquals(List.of("red nut"), r.heldOutCombinations());
        assertEquals(1, r.heldOut().ilFp());
        assertEquals(1, r.seen().ilTp());
        r = new EvaluationTasksComponent(null).evaluate(data,
                new EvalOptions(null, preds, 0.5, List.of("Brass Nuts", "blue bolt"), false, null), null);
        assertEquals(List.of("brass nut", "blue screw"), r.heldOutCombinations());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new EvaluationTasksComponent(null).evaluate(data,
                new EvalOptions(null, preds, 0.5, List.of("rust spot"), false, null), null));
        assertTrue(e.getMessage().contains("\"rust spot\"") && e.getMessage().contains("finish+part"), e.getMessage());
    }

    @Test
    void perfectModelOnTheSampleSetScoresOneHundred() throws Exception {
        FakeTasks model = new FakeTasks(samples());
        Path out = tmp.resolve("out");
        List<String> progress = new java.util.ArrayList<>();
        long scratchBefore = scratchDirs();
        EvalReport r = new EvaluationTasksComponent(model.service()).evaluate(samples(), EvalOptions.runModel(out),
                (done, total, item) -> progress.add(item));
        assertEquals(scratchBefore, scratchDirs(), "the scratch data set is removed");
        // 24 pairs, 12 positive, 23 masks
        assertEquals(24, r.overall().pairs());
        assertEquals(12, r.overall().positivePairs());
        assertEquals(100, r.overall().cgF1(), 1e-9);
        assertEquals(1, r.overall().ilMcc(), 1e-12);
        assertEquals(0, r.overall().groundingError(), 0);
        assertEquals(6, r.images());
        assertEquals("fake", r.backendId());
        assertEquals(0.5, model.lastOptions.scoreThreshold());
        // the model ran once, on the scratch copy with the paraphrase probes: each image encoded once
        assertEquals(1, model.predictedDirs.size());
        assertFalse(model.predictedDirs.get(0).equals(samples()));
        assertTrue(r.languageAmbiguity().probes() > 0);
        // the perfect fake answers every phrasing the same way
        assertEquals(1.0, r.languageAmbiguity().maskAgreement(), 0);
        assertEquals(1.0, r.languageAmbiguity().presenceAgreement(), 0);
        assertTrue(progress.stream().anyMatch(p -> p.startsWith("predict ")) && progress.stream().anyMatch(p -> p.startsWith("score ")));
        // predictions.json holds the data set's pairs only: 23 masks, ids 1..24
        List<?> written = (List<?>) Json.parse(Files.readString(out.resolve("predictions.json")));
        assertEquals(23, written.size());
        for (Object o : written) {
            long id = (Long) ((Map<?, ?>) o).get("image_id");
            assertTrue(id >= 1 && id <= 24, "probe " + id + " leaked into predictions.json");
        }
        assertEquals(List.of(out.resolve("predictions.json"), out.resolve("metrics.json"), out.resolve("report.html")), r.written());
        // the written predictions score the same without the model
        EvalReport again = new EvaluationTasksComponent(null).evaluate(samples(), EvalOptions.fromPredictions(out.resolve("predictions.json"), null), null);
        assertEquals(100, again.overall().cgF1(), 1e-9);
    }

    @Test
    void withoutOutFolderNothingIsKept() throws Exception {
        FakeTasks model = new FakeTasks(samples());
        EvalReport r = new EvaluationTasksComponent(model.service()).evaluate(samples(),
                new EvalOptions(null, null, 0.5, null, false, new SegmentOptions(null, "cpu", null)), null);
        assertNull(r.predictions());
        assertTrue(r.written().isEmpty());
        // no probes: the model ran on the data set itself
        assertEquals(samples(), model.predictedDirs.get(0));
        assertEquals("cpu", model.lastOptions.backend());
        assertEquals(0, r.languageAmbiguity().probes());
        assertEquals(0, r.languageAmbiguity().comparisons());
        assertTrue(Double.isNaN(r.languageAmbiguity().maskAgreement()));
    }

    private static long scratchDirs() throws Exception {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("conceptseg-eval-")).count();
        }
    }

    // ---- bad input: one InvalidInputException naming the entry ----

    private InvalidInputException fails(Path data, Path preds) {
        return assertThrows(InvalidInputException.class,
                () -> new EvaluationTasksComponent(null).evaluate(data, EvalOptions.fromPredictions(preds, tmp.resolve("r")), null));
    }

    @Test
    void annotationOfAnUnknownImage() throws Exception {
        Path data = new LineSets().pair(1, "a.png", "washer").truth(1, 1, 0, 3).truth(2, 99, 0, 3).writeDataset(tmp.resolve("set"));
        Path preds = new LineSets().writePredictions(tmp.resolve("p.json"));
        InvalidInputException e = fails(data, preds);
        assertTrue(e.getMessage().contains("annotations[1] (id 2)") && e.getMessage().contains("image id 99"), e.getMessage());
    }

    @Test
    void malformedRleNamesTheAnnotation() throws Exception {
        Path data = new LineSets().pair(1, "a.png", "washer").truth(7, 1, 0, 3).writeDataset(tmp.resolve("set"));
        Path json = data.resolve("annotations.json");
        String text = Files.readString(json);
        String counts = text.replaceAll("(?s).*\"counts\":\"([^\"]*)\".*", "$1");
        Files.writeString(json, text.replace("\"counts\":\"" + counts + "\"", "\"counts\":\"" + counts + "5\""));
        InvalidInputException e = fails(data, new LineSets().writePredictions(tmp.resolve("p.json")));
        assertTrue(e.getMessage().contains("annotations[0] (id 7)") && e.getMessage().contains("malformed RLE"), e.getMessage());
    }

    @Test
    void polygonsAndWrongSizesAreRefused() throws Exception {
        Path data = new LineSets().pair(1, "a.png", "washer").writeDataset(tmp.resolve("set"));
        Path json = data.resolve("annotations.json");
        Files.writeString(json, Files.readString(json).replace("\"annotations\":[]",
                "\"annotations\":[{\"id\":3,\"image_id\":1,\"segmentation\":[[0,0,1,0,1,1]]}]"));
        InvalidInputException e = fails(data, new LineSets().writePredictions(tmp.resolve("p.json")));
        assertTrue(e.getMessage().contains("annotations[0] (id 3)") && e.getMessage().contains("polygon"), e.getMessage());
        Path data2 = new LineSets().pair(1, "a.png", "washer").writeDataset(tmp.resolve("set2"));
        Path preds = tmp.resolve("p2.json");
        Files.writeString(preds, "[{\"image_id\":1,\"score\":0.9,\"segmentation\":{\"size\":[2,15],\"counts\":[30]}}]");
        e = fails(data2, preds);
        assertTrue(e.getMessage().contains("entry 0 (image_id 1)") && e.getMessage().contains("differs from the image's [1, 30]"), e.getMessage());
    }

    @Test
    void emptyAndNonListPredictionFiles() throws Exception {
        Path data = partialSet().writeDataset(tmp.resolve("set"));
        Path empty = Files.writeString(tmp.resolve("empty.json"), "  \n");
        InvalidInputException e = fails(data, empty);
        assertTrue(e.getMessage().contains("empty.json") && e.getMessage().contains("empty"), e.getMessage());
        e = fails(data, data.resolve("annotations.json"));
        assertTrue(e.getMessage().contains("annotations file?"), e.getMessage());
        e = fails(data, tmp.resolve("missing.json"));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
        Files.writeString(tmp.resolve("bad.json"), "[{\"image_id\":1,");
        e = fails(data, tmp.resolve("bad.json"));
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
    }

    @Test
    void predictionsOfUnknownImagesAndBadEntries() throws Exception {
        Path data = partialSet().writeDataset(tmp.resolve("set"));
        Path preds = new LineSets().predict(1, 0.9, 0, 3).predict(42, 0.9, 0, 3).writePredictions(tmp.resolve("p.json"));
        InvalidInputException e = fails(data, preds);
        assertTrue(e.getMessage().contains("p.json: entry 1 (image_id 42)") && e.getMessage().contains("no (image, phrase) pair"), e.getMessage());
        Files.writeString(preds, "[{\"image_id\":1,\"score\":0.9,\"segmentation\":{\"size\":[1,30],\"counts\":\"0]\"}}]");
        e = fails(data, preds);
        assertTrue(e.getMessage().contains("entry 0 (image_id 1)") && e.getMessage().contains("malformed RLE"), e.getMessage());
        Files.writeString(preds, "[{\"image_id\":1,\"segmentation\":{\"size\":[1,30],\"counts\":\"0]\"}}]");
        e = fails(data, preds);
        assertTrue(e.getMessage().contains("entry 0 (image_id 1)") && e.getMessage().contains("no score"), e.getMessage());
    }

    @Test
    void missingImageEmptyDataSetAndMisusedOptions() throws Exception {
        Path data = partialSet().writeDataset(tmp.resolve("set"));
        Path preds = partialSet().writePredictions(tmp.resolve("p.json"));
        Files.delete(data.resolve("b.png"));
        InvalidInputException e = fails(data, preds);
        assertTrue(e.getMessage().contains("b.png") && e.getMessage().contains("not found"), e.getMessage());

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(empty.resolve("annotations.json"), "{\"images\":[],\"annotations\":[],\"categories\":[]}");
        EvalReport r = new EvaluationTasksComponent(null).evaluate(empty,
                EvalOptions.fromPredictions(Files.writeString(tmp.resolve("none.json"), "[]"), tmp.resolve("er")), null);
        assertEquals(0, r.overall().pairs());
        assertEquals(0, r.overall().cgF1(), 0);
        assertTrue(r.byKind().isEmpty());
        assertTrue(Files.readString(tmp.resolve("er/report.html")).contains("no pairs"));

        Files.writeString(empty.resolve("annotations.json"), "");
        e = assertThrows(InvalidInputException.class, () -> new EvaluationTasksComponent(null).evaluate(empty,
                EvalOptions.fromPredictions(tmp.resolve("none.json"), null), null));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());

        Path data2 = partialSet().writeDataset(tmp.resolve("set2"));
        e = assertThrows(InvalidInputException.class, () -> new EvaluationTasksComponent(null).evaluate(data2,
                new EvalOptions(data2, preds, 0.5, null, false, null), null));
        assertTrue(e.getMessage().contains("data set folder"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> new EvaluationTasksComponent(null).evaluate(data2,
                new EvalOptions(null, preds, 0.5, null, false, new SegmentOptions(null, "onnx", null)), null));
        assertTrue(e.getMessage().contains("--backend"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> new EvalOptions(null, preds, 1.5, null, false, null));
        assertTrue(e.getMessage().contains("[0, 1]"), e.getMessage());
        Path noAnnotations = Files.createDirectories(tmp.resolve("noann"));
        Files.write(noAnnotations.resolve("a.png"), new byte[] {1});
        Files.writeString(noAnnotations.resolve("annotations.json"), "{\"images\":[{\"id\":1,\"file_name\":\"a.png\",\"text_input\":\"nut\"}]}");
        e = assertThrows(InvalidInputException.class, () -> new EvaluationTasksComponent(null).evaluate(noAnnotations,
                EvalOptions.fromPredictions(tmp.resolve("none.json"), null), null));
        assertTrue(e.getMessage().contains("\"annotations\""), e.getMessage());
    }
}

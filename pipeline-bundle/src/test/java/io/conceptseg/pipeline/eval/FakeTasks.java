package io.conceptseg.pipeline.eval;

import io.conceptseg.api.PredictReport;
import io.conceptseg.api.ProgressListener;
import io.conceptseg.api.SegmentOptions;
import io.conceptseg.api.SegmentationTasks;
import io.conceptseg.commons.json.Json;
import io.conceptseg.commons.json.JsonObject;
import io.conceptseg.pipeline.SacoDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model that answers every phrase with the ground truth of its concept on that image (taken from a
 * reference data set): perfect predictions for the pairs and for any other phrasing of them. Only
 * {@code predict} is answered (through a proxy, so that new task methods do not break the test).
 */
final class FakeTasks {
    private final Map<String, List<Map<String, Object>>> answers = new HashMap<>();
    final List<Path> predictedDirs = new ArrayList<>();
    SegmentOptions lastOptions;
    int progressCalls;

    FakeTasks(Path referenceDataset) {
        SacoDataset ref = SacoDataset.read(referenceDataset);
        JsonObject root = ref.root();
        Map<Long, String> keyOf = new HashMap<>();
        for (SacoDataset.Pair p : ref.pairs()) {
            String key = key(p.fileName(), p.phrase());
            keyOf.put(p.id(), key);
            answers.computeIfAbsent(key, k -> new ArrayList<>());
        }
        Map<String, Long> filledBy = new HashMap<>();
        for (int i = 0; i < root.array("annotations").size(); i++) {
            JsonObject a = root.objectAt("annotations", i);
            long imageId = a.integer("image_id");
            String key = keyOf.get(imageId);
            // one pair per (image, concept) provides the answer, even when several ask for it
            if (filledBy.computeIfAbsent(key, k -> imageId) != imageId) {
                continue;
            }
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("score", 0.9);
            e.put("bbox", a.map().get("bbox"));
            e.put("segmentation", a.map().get("segmentation"));
            answers.get(key).add(e);
        }
    }

    private static String key(String file, String phrase) {
        return file + "|" + ConceptPhrase.parse(phrase).canonical();
    }

    /** The fake as the service. */
    SegmentationTasks service() {
        return (SegmentationTasks) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {SegmentationTasks.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("predict")) {
                        return predict((Path) args[0], (Path) args[1], (SegmentOptions) args[2], (ProgressListener) args[3]);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    PredictReport predict(Path datasetDir, Path outFile, SegmentOptions options, ProgressListener progress) {
        lastOptions = options;
        predictedDirs.add(datasetDir);
        SacoDataset d = SacoDataset.read(datasetDir);
        List<Object> out = new ArrayList<>();
        for (SacoDataset.Pair p : d.pairs()) {
            for (Map<String, Object> a : answers.getOrDefault(key(p.fileName(), p.phrase()), List.of())) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("image_id", p.id());
                e.putAll(a);
                out.add(e);
            }
            progress.progress(++progressCalls, d.pairs().size(), p.fileName());
        }
        try {
            Files.writeString(outFile, Json.write(out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new PredictReport(outFile, 0, d.pairs().size(), out.size(), 0, "fake");
    }
}

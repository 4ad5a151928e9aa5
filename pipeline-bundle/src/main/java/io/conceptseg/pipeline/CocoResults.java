package io.conceptseg.pipeline;

import io.conceptseg.api.Detection;
import io.conceptseg.commons.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes detections in the COCO results form of the SA-Co protocol (compressed RLE, bbox x,y,w,h). */
final class CocoResults {
    private CocoResults() { }

    /** One results entry; {@code label} is added when not null (the COCO form ignores extra keys). */
    static Map<String, Object> entry(long imageId, Detection d, String label) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("image_id", imageId);
        m.put("category_id", 1L);
        m.put("score", round(d.score(), 6));
        m.put("bbox", List.of(round(d.box().x(), 2), round(d.box().y(), 2), round(d.box().width(), 2), round(d.box().height(), 2)));
        m.put("area", d.area());
        Map<String, Object> seg = new LinkedHashMap<>();
        seg.put("size", List.of((long) d.mask().height(), (long) d.mask().width()));
        seg.put("counts", d.mask().counts());
        m.put("segmentation", seg);
        if (label != null) {
            m.put("label", label);
        }
        return m;
    }

    /** Writes a results list, one entry per line for readable diffs. */
    static void write(Path file, List<Map<String, Object>> entries) throws IOException {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < entries.size(); i++) {
            b.append(i == 0 ? "\n" : ",\n");
            Json.write(b, entries.get(i));
        }
        b.append(entries.isEmpty() ? "]\n" : "\n]\n");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, b, StandardCharsets.UTF_8);
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}

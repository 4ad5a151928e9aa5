package io.conceptseg.pipeline.eval;

import io.conceptseg.api.InvalidInputException;
import io.conceptseg.commons.json.Json;
import io.conceptseg.commons.json.JsonException;
import io.conceptseg.commons.rle.RunMask;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads predictions in the COCO results form of the SA-Co protocol: a list of {"image_id", "score",
 * "bbox", "segmentation"} where image_id is the id of an (image, phrase) pair. Every entry is checked
 * (also those under the threshold), and a bad one is named by its index and image_id.
 */
final class PredictionsFile {
    private PredictionsFile() {
    }

    /**
     * Loads the results list of a file.
     *
     * @throws InvalidInputException when the file is missing, empty, not JSON or not a list
     */
    static List<Object> load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(file.toString(), Files.exists(file) ? "is not a file" : "predictions file not found");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidInputException(file.toString(), "cannot read: " + e.getMessage(), e);
        }
        if (text.isBlank()) {
            throw new InvalidInputException(file.toString(), "the predictions file is empty (no predictions at all is written as [])");
        }
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (JsonException e) {
            throw new InvalidInputException(file.toString(), "malformed JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof List<?> list)) {
            throw new InvalidInputException(file.toString(), "is not a COCO results list [{\"image_id\", \"score\", \"bbox\", \"segmentation\"}, ...]"
                    + (parsed instanceof Map ? " (it is an object: is it an annotations file?)" : ""));
        }
        @SuppressWarnings("unchecked")
        List<Object> entries = (List<Object>) list;
        return entries;
    }

    /**
     * Checks every entry against the pairs and keeps those scoring at least {@code threshold}, by pair id.
     *
     * @param source the file, for messages
     * @param entries the results list
     * @param pairs the pairs the entries may refer to, by id
     * @param threshold score threshold
     * @throws InvalidInputException naming the entry for an unknown image_id, a missing or
     *         non-finite score, a malformed or wrongly sized segmentation, a malformed bbox
     */
    static Map<Long, List<Instance>> attach(String source, List<Object> entries, Map<Long, EvalSet.Entry> pairs, double threshold) {
        Map<Long, List<Instance>> out = new HashMap<>();
        Map<Long, int[]> sizes = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            String where = source + ": entry " + i;
            if (!(entries.get(i) instanceof Map<?, ?> m)) {
                throw new InvalidInputException(where, "is not an object {\"image_id\", \"score\", \"bbox\", \"segmentation\"}");
            }
            if (!(m.get("image_id") instanceof Long imageId)) {
                throw new InvalidInputException(where, m.get("image_id") == null ? "has no image_id" : "image_id must be a whole number");
            }
            where += " (image_id " + imageId + ")";
            EvalSet.Entry pair = pairs.get(imageId);
            if (pair == null) {
                throw new InvalidInputException(where, "refers to image id " + imageId + ", which is no (image, phrase) pair of the data set");
            }
            if (!(m.get("score") instanceof Number score) || !Double.isFinite(score.doubleValue())) {
                throw new InvalidInputException(where, m.get("score") == null ? "has no score" : "score must be a finite number");
            }
            RunMask mask = MaskJson.segmentation(where, m.get("segmentation"));
            int[] size = pair.sizeKnown() ? new int[] {pair.height(), pair.width()} : sizes.computeIfAbsent(imageId, k -> new int[] {mask.height, mask.width});
            MaskJson.checkSize(where, mask, size[0], size[1]);
            double[] box = MaskJson.bbox(where, m.get("bbox"), mask);
            if (score.doubleValue() >= threshold) {
                out.computeIfAbsent(imageId, k -> new ArrayList<>()).add(new Instance(mask, box, false, score.doubleValue()));
            }
        }
        return out;
    }
}

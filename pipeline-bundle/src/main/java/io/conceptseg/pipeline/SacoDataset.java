package io.conceptseg.pipeline;

import io.conceptseg.api.InvalidInputException;
import io.conceptseg.commons.json.JsonException;
import io.conceptseg.commons.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A data set in the SA-Co layout: a folder with the images and one COCO JSON whose "images"
 * entries are (image, noun phrase) pairs carrying "text_input". Everything is checked up front, so
 * a long run never fails half-way on an entry that was bad from the start.
 *
 * @param dir the folder
 * @param annotationsFile its JSON file
 * @param pairs the (image, phrase) pairs, in file order
 * @param root the parsed JSON (annotations, categories) for evaluation
 */
public record SacoDataset(Path dir, Path annotationsFile, List<Pair> pairs, JsonObject root) {

    /** One (image, phrase) pair: an "images" entry. */
    public record Pair(long id, String fileName, Path file, String phrase, int index) {
        /** The entry, for messages. */
        public String where() { return "images[" + index + "] (id " + id + ", " + fileName + ")"; }
    }

    /**
     * Reads and checks a data set folder.
     *
     * @throws InvalidInputException naming the folder, the file or the entry at fault
     */
    public static SacoDataset read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException(dir.toString(), Files.exists(dir) ? "is not a folder" : "data set folder not found");
        }
        Path json = findJson(dir);
        JsonObject root;
        try {
            String text = Files.readString(json, StandardCharsets.UTF_8);
            if (text.isBlank()) {
                throw new InvalidInputException(json.toString(), "the annotations file is empty");
            }
            root = JsonObject.parse(json.getFileName().toString(), text);
        } catch (IOException e) {
            throw new InvalidInputException(json.toString(), "cannot read: " + e.getMessage(), e);
        } catch (JsonException e) {
            throw new InvalidInputException(json.toString(), "malformed JSON: " + e.getMessage(), e);
        }
        List<Pair> pairs = new ArrayList<>();
        Map<Long, Integer> seen = new LinkedHashMap<>();
        try {
            List<Object> images = root.array("images");
            for (int i = 0; i < images.size(); i++) {
                JsonObject e = root.objectAt("images", i);
                long id = e.integer("id");
                String name = e.string("file_name");
                String where = "images[" + i + "] (id " + id + ", " + name + ")";
                if (seen.put(id, i) != null) {
                    throw new InvalidInputException(json + ": " + where, "image id " + id + " appears twice");
                }
                if (!e.has("text_input") || e.string("text_input").isBlank()) {
                    throw new InvalidInputException(json + ": " + where, "has no text_input noun phrase");
                }
                Path file = dir.resolve(name).normalize();
                if (!file.startsWith(dir.normalize()) || !Files.isRegularFile(file)) {
                    throw new InvalidInputException(json + ": " + where, "image file " + file + " not found");
                }
                pairs.add(new Pair(id, name, file, e.string("text_input").strip(), i));
            }
        } catch (JsonException e) {
            throw new InvalidInputException(json.toString(), e.getMessage(), e);
        }
        return new SacoDataset(dir, json, pairs, root);
    }

    private static Path findJson(Path dir) {
        List<Path> found;
        try (Stream<Path> s = Files.list(dir)) {
            found = s.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new InvalidInputException(dir.toString(), "cannot list: " + e.getMessage(), e);
        }
        if (found.size() == 1) {
            return found.get(0);
        }
        Path named = dir.resolve("annotations.json");
        if (found.contains(named)) {
            return named;
        }
        throw new InvalidInputException(dir.toString(), found.isEmpty()
                ? "holds no annotations JSON file (SA-Co layout: images plus one JSON)"
                : "holds several JSON files " + found.stream().map(p -> p.getFileName().toString()).toList()
                        + "; keep one, or name it annotations.json");
    }

    /** Pairs grouped by image file, in first-seen order, so each image is decoded and encoded once. */
    Map<Path, List<Pair>> byImage() {
        Map<Path, List<Pair>> m = new LinkedHashMap<>();
        for (Pair p : pairs) {
            m.computeIfAbsent(p.file(), k -> new ArrayList<>()).add(p);
        }
        return m;
    }
}

package io.conceptseg.pipeline.eval;

import io.conceptseg.api.InvalidInputException;
import io.conceptseg.commons.json.JsonException;
import io.conceptseg.commons.json.JsonObject;
import io.conceptseg.commons.rle.RunMask;
import io.conceptseg.pipeline.SacoDataset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An SA-Co data set ready to score: each (image, phrase) pair with its concept, its image size and its
 * ground-truth masks. Every annotation is checked up front (known image id, well-formed RLE of the
 * image's size) and a bad one is named by its index and id.
 */
final class EvalSet {
    /**
     * One pair to score.
     *
     * @param pair the "images" entry
     * @param concept what its phrase names
     * @param height image height, or -1 while unknown (no size in the entry and no ground truth)
     * @param width image width, or -1
     * @param groundTruths its annotations
     */
    record Entry(SacoDataset.Pair pair, ConceptPhrase concept, int height, int width, List<Instance> groundTruths) {
        boolean sizeKnown() { return height >= 0; }
    }

    final SacoDataset dataset;
    final List<Entry> entries;
    final Map<Long, Entry> byId;

    private EvalSet(SacoDataset dataset, List<Entry> entries) {
        this.dataset = dataset;
        this.entries = List.copyOf(entries);
        Map<Long, Entry> m = new LinkedHashMap<>();
        for (Entry e : entries) {
            m.put(e.pair().id(), e);
        }
        this.byId = m;
    }

    /** For tests: a set from entries already built. */
    static EvalSet of(SacoDataset dataset, List<Entry> entries) {
        return new EvalSet(dataset, entries);
    }

    /**
     * Reads the annotations of a data set.
     *
     * @throws InvalidInputException naming the annotations file and the entry at fault
     */
    static EvalSet read(SacoDataset data) {
        String file = data.annotationsFile().toString();
        JsonObject root = data.root();
        List<SacoDataset.Pair> pairs = data.pairs();
        Map<Long, Integer> index = new LinkedHashMap<>();
        int[] heights = new int[pairs.size()];
        int[] widths = new int[pairs.size()];
        List<List<Instance>> gts = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            SacoDataset.Pair p = pairs.get(i);
            index.put(p.id(), i);
            heights[i] = -1;
            widths[i] = -1;
            gts.add(new ArrayList<>());
            try {
                JsonObject e = root.objectAt("images", p.index());
                if (e.has("width") && e.has("height")) {
                    long w = e.integer("width");
                    long h = e.integer("height");
                    if (w <= 0 || h <= 0 || (long) w * h > Integer.MAX_VALUE) {
                        throw new InvalidInputException(file + ": " + p.where(), "width and height must be positive, got " + w + "x" + h);
                    }
                    widths[i] = (int) w;
                    heights[i] = (int) h;
                }
            } catch (JsonException ex) {
                throw new InvalidInputException(file + ": " + p.where(), ex.getMessage(), ex);
            }
        }
        if (!root.has("annotations")) {
            throw new InvalidInputException(file, "has no \"annotations\" list (an all-negative data set has an empty one)");
        }
        List<Object> annotations;
        try {
            annotations = root.array("annotations");
        } catch (JsonException ex) {
            throw new InvalidInputException(file, ex.getMessage(), ex);
        }
        for (int a = 0; a < annotations.size(); a++) {
            Object raw = annotations.get(a);
            String where = file + ": annotations[" + a + "]";
            if (!(raw instanceof Map<?, ?> ann)) {
                throw new InvalidInputException(where, "is not an object");
            }
            if (ann.get("id") != null) {
                where += " (id " + ann.get("id") + ")";
            }
            if (!(ann.get("image_id") instanceof Long imageId)) {
                throw new InvalidInputException(where, ann.get("image_id") == null ? "has no image_id" : "image_id must be a whole number");
            }
            Integer i = index.get(imageId);
            if (i == null) {
                throw new InvalidInputException(where, "refers to image id " + imageId + ", which no \"images\" entry has");
            }
            RunMask mask = MaskJson.segmentation(where, ann.get("segmentation"));
            if (heights[i] < 0) {
                heights[i] = mask.height;
                widths[i] = mask.width;
            } else {
                MaskJson.checkSize(where, mask, heights[i], widths[i]);
            }
            double[] box = MaskJson.bbox(where, ann.get("bbox"), mask);
            boolean crowd = ann.get("iscrowd") instanceof Number n && n.intValue() != 0;
            gts.get(i).add(new Instance(mask, box, crowd, 1));
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            SacoDataset.Pair p = pairs.get(i);
            entries.add(new Entry(p, ConceptPhrase.parse(p.phrase()), heights[i], widths[i], List.copyOf(gts.get(i))));
        }
        return new EvalSet(data, entries);
    }

    /** The largest pair id, so that new ids can be handed out above it. */
    long maxId() {
        long max = 0;
        for (Entry e : entries) {
            max = Math.max(max, e.pair().id());
        }
        return max;
    }
}

package io.conceptseg.pipeline.eval;

import io.conceptseg.api.InvalidInputException;
import io.conceptseg.commons.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The finish+part combinations held out of training, which measure open-vocabulary (compositional)
 * generalisation. Taken, in this order, from the caller, from the data set's "held_out" or
 * "info": {"held_out"} field, or the generator's list (training/conceptseg_train/data/concepts.py
 * HELD_OUT), which its data sets do not record.
 *
 * @param combinations canonical "finish part" phrases
 * @param source where they came from, for the report
 */
record HeldOut(List<String> combinations, String source) {
    /** concepts.py HELD_OUT: one per part kind. */
    static final List<String> GENERATOR_DEFAULT = List.of("copper gear", "blue screw", "black washer", "brass nut");

    /** Copies the list. */
    HeldOut {
        combinations = List.copyOf(combinations);
    }

    /**
     * Picks the list: {@code option} when not null, else the data set's, else the generator's.
     *
     * @throws InvalidInputException for an entry that is not a "&lt;finish&gt; &lt;part&gt;" phrase
     */
    static HeldOut resolve(List<String> option, JsonObject root, String annotationsFile) {
        if (option != null) {
            return new HeldOut(canonical("--held-out", option), "option");
        }
        Object field = root.map().get("held_out");
        String where = annotationsFile + ": held_out";
        if (field == null && root.map().get("info") instanceof Map<?, ?> info) {
            field = info.get("held_out");
            where = annotationsFile + ": info.held_out";
        }
        if (field == null) {
            return new HeldOut(GENERATOR_DEFAULT, "generator default");
        }
        if (!(field instanceof List<?> list)) {
            throw new InvalidInputException(where, "must be a list of \"<finish> <part>\" phrases");
        }
        List<String> items = new ArrayList<>();
        for (Object o : list) {
            if (o instanceof String s) {
                items.add(s);
            } else if (o instanceof List<?> l && l.size() == 2 && l.get(0) instanceof String f && l.get(1) instanceof String p) {
                items.add(f + " " + p);   // Python tuples ("copper", "gear") dumped as lists
            } else {
                throw new InvalidInputException(where, "entry " + o + " is not a \"<finish> <part>\" phrase");
            }
        }
        return new HeldOut(canonical(where, items), "data set");
    }

    private static List<String> canonical(String where, List<String> items) {
        Set<String> out = new LinkedHashSet<>();
        for (String item : items) {
            if (item == null || item.isBlank()) {
                continue;
            }
            ConceptPhrase c = ConceptPhrase.parse(item);
            if (c.kind() != ConceptKind.FINISH_PART || !ConceptPhrase.PART_SYNONYMS.containsKey(c.key())) {
                throw new InvalidInputException(where + " \"" + item.strip() + "\"",
                        "is not a finish+part combination such as \"copper gear\" (finishes: " + String.join(", ", ConceptPhrase.FINISHES)
                        + "; parts: " + String.join(", ", ConceptPhrase.PART_SYNONYMS.keySet()) + ")");
            }
            out.add(c.canonical());
        }
        return List.copyOf(out);
    }

    /** Whether a finish+part phrase names a held-out combination (for a group, any of its members). */
    boolean contains(ConceptPhrase c) {
        if (c.kind() != ConceptKind.FINISH_PART) {
            return false;
        }
        for (String kind : c.partKinds()) {
            if (combinations.contains(c.finish() + " " + kind)) {
                return true;
            }
        }
        return false;
    }
}

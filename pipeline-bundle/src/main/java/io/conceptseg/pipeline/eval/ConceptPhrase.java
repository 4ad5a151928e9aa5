package io.conceptseg.pipeline.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A noun phrase reduced to the concept it names, after the phrase forms of the inspection domain
 * spec (inspection-domain.md, "Concepts"): part and defect names with their synonyms, "&lt;finish&gt;
 * &lt;part&gt;", the groups "fastener", "part" and "defect", each singular or plural, any case and
 * spacing. "screws", "Bolt" and "bolts" all name the concept "screw"; "brass flat washers" names
 * "brass washer". The tables mirror training/conceptseg_train/data/concepts.py, which generates the
 * data sets; like it, "&lt;finish&gt; fastener(s)" and "&lt;finish&gt; part(s)" are accepted. Anything
 * else is kind {@link ConceptKind#OTHER}, keyed by its normalised text, so that data sets from
 * elsewhere still evaluate.
 *
 * @param phrase the normalised phrase as given
 * @param kind part, finish+part, defect, group or other
 * @param key canonical kind or group name ("washer", "rust spot", "fastener"), or the phrase for other
 * @param finish the finish of a finish+part phrase, else null
 * @param plural whether the phrase is plural
 */
record ConceptPhrase(String phrase, ConceptKind kind, String key, String finish, boolean plural) {
    static final List<String> FINISHES = List.of("silver", "brass", "black", "copper", "red", "blue");
    /** Canonical part kind -> its singular surface forms, canonical first. */
    static final Map<String, List<String>> PART_SYNONYMS = ordered(
            "washer", List.of("washer", "flat washer"),
            "nut", List.of("nut", "hex nut"),
            "screw", List.of("screw", "bolt"),
            "gear", List.of("gear", "cog", "gear wheel"));
    /** Canonical defect kind -> its singular surface forms, canonical first. */
    static final Map<String, List<String>> DEFECT_SYNONYMS = ordered(
            "scratch", List.of("scratch", "scratch mark"),
            "crack", List.of("crack", "fracture"),
            "hole", List.of("hole", "puncture"),
            "dent", List.of("dent"),
            "rust spot", List.of("rust spot", "rust", "corrosion"),
            "stain", List.of("stain", "oil stain", "smudge"));
    /** Group -> member kinds. */
    static final Map<String, List<String>> GROUPS = ordered(
            "fastener", List.of("washer", "nut", "screw"),
            "part", List.copyOf(PART_SYNONYMS.keySet()),
            "defect", List.copyOf(DEFECT_SYNONYMS.keySet()));
    /** Mass nouns: the plural is the singular. */
    private static final Set<String> MASS_NOUNS = Set.of("rust", "corrosion");
    private static final Map<String, Noun> NOUNS = nouns();

    /** A surface form's concept key and number. */
    private record Noun(String key, boolean plural) {
    }

    /** Parses any phrase; never fails (unknown phrases are kind other). */
    static ConceptPhrase parse(String phrase) {
        String text = normalize(phrase);
        String finish = null;
        String noun = text;
        int space = text.indexOf(' ');
        if (space > 0 && FINISHES.contains(text.substring(0, space))) {
            finish = text.substring(0, space);
            noun = text.substring(space + 1);
        }
        Noun n = NOUNS.get(noun);
        if (n == null) {
            return new ConceptPhrase(text, ConceptKind.OTHER, text, null, false);
        }
        if (finish != null) {
            boolean ofParts = PART_SYNONYMS.containsKey(n.key()) || n.key().equals("fastener") || n.key().equals("part");
            // a finish on a defect ("red scratch") is not a phrase of the spec
            return ofParts ? new ConceptPhrase(text, ConceptKind.FINISH_PART, n.key(), finish, n.plural())
                    : new ConceptPhrase(text, ConceptKind.OTHER, text, null, false);
        }
        ConceptKind kind = GROUPS.containsKey(n.key()) ? ConceptKind.GROUP
                : PART_SYNONYMS.containsKey(n.key()) ? ConceptKind.PART : ConceptKind.DEFECT;
        return new ConceptPhrase(text, kind, n.key(), null, n.plural());
    }

    /** Lower case, trimmed, runs of white space collapsed to one space. */
    static String normalize(String phrase) {
        return phrase.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    }

    /** Plural of a singular surface form ("hex nut" -> "hex nuts", "scratch" -> "scratches"). */
    static String pluralOf(String singular) {
        if (MASS_NOUNS.contains(singular)) {
            return singular;
        }
        int space = singular.lastIndexOf(' ');
        String head = space < 0 ? "" : singular.substring(0, space + 1);
        String last = singular.substring(space + 1);
        boolean sibilant = last.endsWith("s") || last.endsWith("sh") || last.endsWith("ch") || last.endsWith("x") || last.endsWith("z");
        return head + last + (sibilant ? "es" : "s");
    }

    /** The concept's canonical singular phrase: what the report groups by ("brass washer", "screw"). */
    String canonical() {
        return finish == null ? key : finish + " " + key;
    }

    /** The part kinds a finish+part phrase covers (one kind, or a group's members). */
    List<String> partKinds() {
        return GROUPS.containsKey(key) ? GROUPS.get(key) : List.of(key);
    }

    /**
     * Every surface form of the concept, each synonym singular then plural, canonical first (the
     * order of concepts.py forms_of); an other phrase has only itself.
     */
    List<String> forms() {
        if (kind == ConceptKind.OTHER) {
            return List.of(phrase);
        }
        List<String> singulars = PART_SYNONYMS.containsKey(key) ? PART_SYNONYMS.get(key)
                : DEFECT_SYNONYMS.containsKey(key) ? DEFECT_SYNONYMS.get(key) : List.of(key);
        List<String> out = new ArrayList<>();
        for (String s : singulars) {
            for (String form : List.of(s, pluralOf(s))) {
                String p = finish == null ? form : finish + " " + form;
                if (!out.contains(p)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static Map<String, Noun> nouns() {
        Map<String, Noun> table = new HashMap<>();
        List<Map<String, List<String>>> tables = List.of(PART_SYNONYMS, DEFECT_SYNONYMS);
        for (Map<String, List<String>> t : tables) {
            t.forEach((key, forms) -> {
                for (String form : forms) {
                    table.put(form, new Noun(key, false));
                }
            });
        }
        // plurals second, so that a mass noun ("rust") stays singular
        for (Map<String, List<String>> t : tables) {
            t.forEach((key, forms) -> {
                for (String form : forms) {
                    table.putIfAbsent(pluralOf(form), new Noun(key, true));
                }
            });
        }
        for (String group : GROUPS.keySet()) {
            table.put(group, new Noun(group, false));
            table.put(pluralOf(group), new Noun(group, true));
        }
        return Map.copyOf(table);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> ordered(Object... keyValues) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], (List<String>) keyValues[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }
}

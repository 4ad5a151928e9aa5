package io.conceptseg.pipeline.eval;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.commons.json.Json;
import io.conceptseg.pipeline.SacoDataset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Extra phrasings that make language ambiguity measurable on data sets that never ask one concept
 * twice about an image (the generator's do not): for each (image, concept) of the vocabulary, one
 * other surface form of the same concept ("washer" -> "washers", "washers" -> "flat washer",
 * "rust" -> "rust spots"), chosen deterministically as the next form after the asked one that the
 * image was not already asked. They are put in a scratch copy of the data set (images linked, not
 * copied, where the file system allows) so that the model encodes each image once for all phrases.
 */
final class ParaphraseProbes {
    private ParaphraseProbes() {
    }

    /** The probes for a data set, with ids above its largest pair id; each has the size of its image. */
    static List<SacoScorer.Probe> plan(EvalSet set, Map<Long, EvalSet.Entry> probeEntries) {
        Map<Path, List<EvalSet.Entry>> byFile = new LinkedHashMap<>();
        for (EvalSet.Entry e : set.entries) {
            byFile.computeIfAbsent(e.pair().file(), k -> new ArrayList<>()).add(e);
        }
        long next = set.maxId() + 1;
        List<SacoScorer.Probe> probes = new ArrayList<>();
        for (Map.Entry<Path, List<EvalSet.Entry>> f : byFile.entrySet()) {
            Set<String> asked = new HashSet<>();
            f.getValue().forEach(e -> asked.add(e.concept().phrase()));
            Set<String> done = new LinkedHashSet<>();
            for (EvalSet.Entry e : f.getValue()) {
                ConceptPhrase c = e.concept();
                if (c.kind() == ConceptKind.OTHER || !done.add(c.canonical())) {
                    continue;
                }
                List<String> forms = c.forms();
                int at = forms.indexOf(c.phrase());
                for (int k = 1; k <= forms.size(); k++) {
                    String form = forms.get(Math.floorMod(at + k, forms.size()));
                    if (!asked.contains(form)) {
                        asked.add(form);
                        SacoDataset.Pair source = e.pair();
                        SacoDataset.Pair pair = new SacoDataset.Pair(next, source.fileName(), source.file(), form, -1);
                        probeEntries.put(next, new EvalSet.Entry(pair, ConceptPhrase.parse(form), e.height(), e.width(), List.of()));
                        probes.add(new SacoScorer.Probe(next, source.file(), form, c.canonical()));
                        next++;
                        break;
                    }
                }
            }
        }
        return probes;
    }

    /**
     * Writes a scratch data set into {@code dir}: the original pairs plus the probes, the images
     * linked (or copied where links are not allowed).
     */
    static void write(EvalSet set, List<SacoScorer.Probe> probes, Map<Long, EvalSet.Entry> probeEntries, Path dir) {
        List<Object> images = new ArrayList<>();
        Set<String> linked = new HashSet<>();
        try {
            for (EvalSet.Entry e : set.entries) {
                images.add(imageEntry(e));
                link(dir, e.pair(), linked);
            }
            for (SacoScorer.Probe p : probes) {
                images.add(imageEntry(probeEntries.get(p.id())));
            }
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("images", images);
            root.put("annotations", List.of());
            root.put("categories", List.of(Map.of("id", 1L, "name", "object")));
            Files.writeString(dir.resolve("annotations.json"), Json.write(root), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConceptSegException(dir.toString(), "cannot write the paraphrase scratch data set: " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> imageEntry(EvalSet.Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.pair().id());
        m.put("file_name", e.pair().fileName());
        if (e.sizeKnown()) {
            m.put("width", (long) e.width());
            m.put("height", (long) e.height());
        }
        m.put("text_input", e.pair().phrase());
        return m;
    }

    private static void link(Path dir, SacoDataset.Pair pair, Set<String> linked) throws IOException {
        if (!linked.add(pair.fileName())) {
            return;
        }
        Path target = dir.resolve(pair.fileName()).normalize();
        Path parent = target.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            Files.createSymbolicLink(target, pair.file().toAbsolutePath());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            Files.copy(pair.file(), target);
        }
    }
}

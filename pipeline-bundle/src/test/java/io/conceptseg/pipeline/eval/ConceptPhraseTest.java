package io.conceptseg.pipeline.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The concept normaliser on the phrase forms of inspection-domain.md (as concepts.py reads them). */
class ConceptPhraseTest {
    private static void is(String phrase, ConceptKind kind, String canonical, boolean plural) {
        ConceptPhrase c = ConceptPhrase.parse(phrase);
        assertEquals(kind, c.kind(), phrase);
        assertEquals(canonical, c.canonical(), phrase);
        assertEquals(plural, c.plural(), phrase);
    }

    @Test
    void synonymsAndNumberNameOneConcept() {
        is("washer", ConceptKind.PART, "washer", false);
        is("Flat  Washers ", ConceptKind.PART, "washer", true);
        is("bolts", ConceptKind.PART, "screw", true);
        is("gear wheels", ConceptKind.PART, "gear", true);
        is("cog", ConceptKind.PART, "gear", false);
        is("hex nuts", ConceptKind.PART, "nut", true);
        is("scratch marks", ConceptKind.DEFECT, "scratch", true);
        is("fractures", ConceptKind.DEFECT, "crack", true);
        is("punctures", ConceptKind.DEFECT, "hole", true);
        is("rust", ConceptKind.DEFECT, "rust spot", false);
        is("corrosion", ConceptKind.DEFECT, "rust spot", false);
        is("smudges", ConceptKind.DEFECT, "stain", true);
        is("oil stains", ConceptKind.DEFECT, "stain", true);
        is("fasteners", ConceptKind.GROUP, "fastener", true);
        is("parts", ConceptKind.GROUP, "part", true);
        is("defect", ConceptKind.GROUP, "defect", false);
        is("brass flat washers", ConceptKind.FINISH_PART, "brass washer", true);
        is("blue bolt", ConceptKind.FINISH_PART, "blue screw", false);
        is("copper gear wheels", ConceptKind.FINISH_PART, "copper gear", true);
        is("silver fasteners", ConceptKind.FINISH_PART, "silver fastener", true);
    }

    @Test
    void phrasesOutsideTheVocabularyAreOther() {
        is("red scratch", ConceptKind.OTHER, "red scratch", false);
        is("Traffic  Cone", ConceptKind.OTHER, "traffic cone", false);
        is("brass", ConceptKind.OTHER, "brass", false);
        assertNull(ConceptPhrase.parse("red scratch").finish());
    }

    @Test
    void pluralsFollowTheGenerator() {
        assertEquals("scratches", ConceptPhrase.pluralOf("scratch"));
        assertEquals("hex nuts", ConceptPhrase.pluralOf("hex nut"));
        assertEquals("rust spots", ConceptPhrase.pluralOf("rust spot"));
        assertEquals("rust", ConceptPhrase.pluralOf("rust"));
        assertEquals("boxes", ConceptPhrase.pluralOf("box"));
    }

    @Test
    void formsListEverySurfaceFormCanonicalFirst() {
        // concepts.forms_of("washer", "brass")
        assertEquals(List.of("brass washer", "brass washers", "brass flat washer", "brass flat washers"),
                ConceptPhrase.parse("brass flat washers").forms());
        // forms_of("rust spot"): rust and corrosion are mass nouns
        assertEquals(List.of("rust spot", "rust spots", "rust", "corrosion"), ConceptPhrase.parse("rust").forms());
        assertEquals(List.of("fastener", "fasteners"), ConceptPhrase.parse("fasteners").forms());
        for (String form : ConceptPhrase.parse("gear").forms()) {
            assertEquals("gear", ConceptPhrase.parse(form).canonical(), form);
        }
        assertTrue(ConceptPhrase.parse("red fasteners").partKinds().containsAll(List.of("washer", "nut", "screw")));
    }
}

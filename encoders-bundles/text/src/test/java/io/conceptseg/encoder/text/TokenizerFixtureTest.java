package io.conceptseg.encoder.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.InvalidInputException;
import io.conceptseg.commons.json.Json;
import io.conceptseg.commons.testing.TestPackages;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tokenizer reproduces the reference tokenizer's fixtures of the tiny package exactly. */
class TokenizerFixtureTest {
    private final WordPieceTokenizer tokenizer = WordPieceTokenizer.of(TestPackages.inspectionTiny());

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> fixture(String name) throws IOException {
        return (List<Map<String, Object>>) Json.parse(Files.readString(TestPackages.inspectionTinyRoot().resolve("fixtures/" + name)));
    }

    private static long[] longs(Object list) {
        return ((List<?>) list).stream().mapToLong(v -> ((Number) v).longValue()).toArray();
    }

    @Test
    void everyFixturePhraseGivesTheReferenceIds() throws IOException {
        List<Map<String, Object>> cases = fixture("tokenizer.json");
        assertTrue(cases.size() >= 30, "fixture has " + cases.size() + " cases");
        for (Map<String, Object> c : cases) {
            String text = (String) c.get("text");
            WordPieceTokenizer.Encoding e = tokenizer.encode(text);
            assertArrayEquals(longs(c.get("ids")), e.ids(), "ids of \"" + text + "\"");
            assertArrayEquals(longs(c.get("attention_mask")), e.attentionMask(), "mask of \"" + text + "\"");
        }
        System.out.println("tokenizer: " + cases.size() + " fixture phrases match");
    }

    @Test
    void everyRejectedFixturePhraseIsRefusedNamingPhraseAndLimit() throws IOException {
        List<Map<String, Object>> cases = fixture("tokenizer_errors.json");
        assertTrue(!cases.isEmpty());
        for (Map<String, Object> c : cases) {
            String text = (String) c.get("text");
            assertEquals("too_long", c.get("error"));
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> tokenizer.encode(text), text);
            assertTrue(e.input().contains(text), e.getMessage());
            assertTrue(e.problem().contains("16"), e.getMessage());
        }
    }
}

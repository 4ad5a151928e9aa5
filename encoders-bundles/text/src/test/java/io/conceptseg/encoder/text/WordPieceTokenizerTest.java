package io.conceptseg.encoder.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.ModelPackageException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WordPieceTokenizerTest {
    static final Map<String, String> SPECIAL = Map.of("pad", "[PAD]", "unk", "[UNK]", "bos", "[BOS]", "eos", "[EOS]");
    static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[BOS]", "[EOS]", "-", "!", ",",
            "rust", "spot", "##s", "wash", "##er", "##ers", "r", "##u", "é");

    private final WordPieceTokenizer tok = new WordPieceTokenizer(VOCAB, 8, SPECIAL, "vocab.txt");

    @Test
    void lowerCasesAndSplitsOnWhitespaceAndPunctuation() {
        assertEquals(List.of("rust", "-", "spot", "##s", "!"), tok.tokenize("  RUST-Spots!\t"));
        assertEquals(List.of("rust", "spot"), tok.tokenize("rust\u00a0spot"), "no-break space is whitespace");
    }

    @Test
    void greedyLongestMatchFirstWithContinuationPieces() {
        assertEquals(List.of("wash", "##ers"), tok.tokenize("washers"), "##ers beats ##er + ##s");
        assertEquals(List.of("wash", "##er"), tok.tokenize("washer"));
        assertEquals(List.of("r", "##u"), tok.tokenize("ru"));
    }

    @Test
    void aWordThatCannotBeCoveredIsOneUnk() {
        // "rusty": rust + (no ##y) -> the whole word is [UNK], the pieces found are dropped
        assertEquals(List.of("[UNK]", "spot"), tok.tokenize("rusty spot"));
        assertEquals(List.of("é"), tok.tokenize("É"), "non-ASCII lower-cased and looked up");
        assertEquals(List.of("[UNK]"), tok.tokenize("r".repeat(101)), "over 100 characters");
    }

    @Test
    void encodesWithBosEosAndPadding() {
        WordPieceTokenizer.Encoding e = tok.encode("rust spots");
        assertArrayEquals(new long[] {2, 7, 8, 9, 3, 0, 0, 0}, e.ids());
        assertArrayEquals(new long[] {1, 1, 1, 1, 1, 0, 0, 0}, e.attentionMask());
        assertEquals(5, e.length());
        assertArrayEquals(new long[] {2, 3, 0, 0, 0, 0, 0, 0}, tok.encode("").ids(), "empty is [BOS] [EOS]");
    }

    @Test
    void exactlyFullContextIsAcceptedOneMoreIsRefused() {
        assertEquals(8, tok.encode("rust rust rust rust rust rust").length());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> tok.encode("rust rust rust rust rust rust rust"));
        assertEquals("phrase \"rust rust rust rust rust rust rust\"", e.input());
        assertTrue(e.problem().contains("needs 9 tokens") && e.problem().contains("holds 8"), e.getMessage());
    }

    @Test
    void vocabularyProblemsNameTheFile() {
        ModelPackageException dup = assertThrows(ModelPackageException.class,
                () -> new WordPieceTokenizer(List.of("[PAD]", "[UNK]", "[BOS]", "[EOS]", "a", "a"), 8, SPECIAL, "v.txt"));
        assertEquals("v.txt", dup.input());
        assertTrue(dup.problem().contains("\"a\" appears twice"), dup.getMessage());
        ModelPackageException missing = assertThrows(ModelPackageException.class,
                () -> new WordPieceTokenizer(List.of("[PAD]", "[UNK]", "[BOS]"), 8, SPECIAL, "v.txt"));
        assertTrue(missing.problem().contains("[EOS]"), missing.getMessage());
    }
}

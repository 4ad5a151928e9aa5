package io.conceptseg.encoder.text;

import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.model.ModelDescriptor;
import io.conceptseg.api.model.ModelPackage;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The model package's WordPiece tokenizer (docs/model-package.md, "Text"), the same rules as the
 * training code's {@code conceptseg_train/tokenizer.py}, checked against fixtures/tokenizer.json:
 * <ol>
 *   <li>lower-case ({@code toLowerCase(Locale.ROOT)}, as Python's {@code str.lower});</li>
 *   <li>split on whitespace (U+0009..U+000D, U+0020, category Zs); every punctuation character
 *       (ASCII 33-47, 58-64, 91-96, 123-126 or any category P*) is a word of its own;</li>
 *   <li>each word: greedy longest match from the left, pieces after the first looked up with a
 *       "##" prefix; a word that cannot be covered, or longer than 100 characters, is [UNK];</li>
 *   <li>{@code [BOS] pieces [EOS]}, padded with [PAD] to the context length L; more than L tokens
 *       is an error, never a silent truncation.</li>
 * </ol>
 * Immutable and thread-safe.
 */
public final class WordPieceTokenizer {
    /** Longer words become [UNK] without matching (BERT's max_input_chars_per_word). */
    static final int MAX_CHARS_PER_WORD = 100;
    private static final String CONTINUATION = "##";

    private final Map<String, Integer> ids;
    private final int contextLength;
    private final String unk;
    private final int padId;
    private final int unkId;
    private final int bosId;
    private final int eosId;

    /**
     * @param vocab tokens, id = index
     * @param contextLength L, including [BOS] and [EOS]
     * @param special "pad", "unk", "bos", "eos" to their token strings
     * @param source the vocabulary's file, for messages
     * @throws ModelPackageException when the vocabulary repeats a token or lacks a special token
     */
    public WordPieceTokenizer(List<String> vocab, int contextLength, Map<String, String> special, String source) {
        if (contextLength < 2) {
            throw new ModelPackageException(source, "text context length " + contextLength
                    + " leaves no room for [BOS] and [EOS]");
        }
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            Integer before = m.putIfAbsent(vocab.get(i), i);
            if (before != null) {
                throw new ModelPackageException(source, "token \"" + vocab.get(i) + "\" appears twice (lines "
                        + (before + 1) + " and " + (i + 1) + ")");
            }
        }
        this.ids = m;
        this.contextLength = contextLength;
        this.unk = special(special, "unk", source);
        this.padId = m.get(special(special, "pad", source));
        this.unkId = m.get(unk);
        this.bosId = m.get(special(special, "bos", source));
        this.eosId = m.get(special(special, "eos", source));
    }

    private String special(Map<String, String> special, String key, String source) {
        String token = special.get(key);
        if (token == null) {
            throw new ModelPackageException(source, "model.json names no " + key + " token");
        }
        if (!ids.containsKey(token)) {
            throw new ModelPackageException(source, "the " + key + " token " + token + " is not in the vocabulary");
        }
        return token;
    }

    /**
     * Reads the tokenizer of a model package: descriptor().text() names the vocabulary, the
     * context length and the special tokens.
     *
     * @throws ModelPackageException naming the vocabulary file when it is missing or unusable
     */
    public static WordPieceTokenizer of(ModelPackage model) {
        ModelDescriptor.TextSpec text = model.descriptor().text();
        if (!"wordpiece".equals(text.tokenizer())) {
            throw new ModelPackageException("model " + model.id(), "tokenizer \"" + text.tokenizer()
                    + "\" is not supported (only wordpiece)");
        }
        Path file = model.file(text.vocab());
        List<String> vocab;
        try {
            vocab = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw new ModelPackageException(file.toString(), "is not UTF-8 text", e);
        } catch (IOException e) {
            throw new ModelPackageException(file.toString(), "cannot read the vocabulary: " + e.getMessage(), e);
        }
        return new WordPieceTokenizer(vocab, text.contextLength(), text.specialTokens(), file.toString());
    }

    /** L: tokens per phrase, including [BOS] and [EOS]. */
    public int contextLength() { return contextLength; }

    /** The phrase's word pieces, without [BOS] and [EOS]. */
    public List<String> tokenize(String phrase) {
        List<String> out = new ArrayList<>();
        for (String word : words(phrase)) {
            wordPieces(word, out);
        }
        return out;
    }

    /**
     * The phrase as L token ids and its attention mask (1 for real tokens, 0 for padding). The
     * empty phrase gives [BOS] [EOS], like the reference tokenizer; refusing empty phrases is the
     * caller's policy.
     *
     * @throws InvalidInputException naming the phrase when it needs more than L tokens
     */
    public Encoding encode(String phrase) {
        List<String> pieces = tokenize(phrase);
        int n = pieces.size() + 2;
        if (n > contextLength) {
            throw new InvalidInputException("phrase \"" + phrase + "\"", "needs " + n + " tokens with [BOS] and [EOS]; "
                    + "the model's text context holds " + contextLength + " (shorten the phrase)");
        }
        long[] tokenIds = new long[contextLength];
        long[] mask = new long[contextLength];
        Arrays.fill(tokenIds, padId);
        tokenIds[0] = bosId;
        for (int i = 0; i < pieces.size(); i++) {
            tokenIds[i + 1] = ids.get(pieces.get(i));
        }
        tokenIds[n - 1] = eosId;
        for (int i = 0; i < n; i++) {
            mask[i] = 1;
        }
        return new Encoding(tokenIds, mask);
    }

    /** The id of a token, or -1. */
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    /** The unknown-word token's id. */
    public int unkId() { return unkId; }

    /**
     * A phrase's token ids and attention mask, both of length L.
     *
     * @param ids token ids, [PAD]-padded
     * @param attentionMask 1 for a real token, 0 for padding
     */
    public record Encoding(long[] ids, long[] attentionMask) {
        /** The number of real tokens (including [BOS] and [EOS]). */
        public int length() {
            int n = 0;
            for (long m : attentionMask) {
                n += (int) m;
            }
            return n;
        }
    }

    /** Lower-cases and splits into words: whitespace separates, punctuation stands alone. */
    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        String lower = text.toLowerCase(Locale.ROOT);
        for (int i = 0; i < lower.length(); ) {
            int cp = lower.codePointAt(i);
            i += Character.charCount(cp);
            if (isWhitespace(cp)) {
                flush(cur, words);
            } else if (isPunctuation(cp)) {
                flush(cur, words);
                words.add(new String(Character.toChars(cp)));
            } else {
                cur.appendCodePoint(cp);
            }
        }
        flush(cur, words);
        return words;
    }

    private static void flush(StringBuilder cur, List<String> words) {
        if (cur.length() > 0) {
            words.add(cur.toString());
            cur.setLength(0);
        }
    }

    static boolean isWhitespace(int cp) {
        return cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || Character.getType(cp) == Character.SPACE_SEPARATOR;
    }

    static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** Greedy longest-match-first over code points; the whole word is [UNK] when a position cannot be matched. */
    private void wordPieces(String word, List<String> out) {
        int[] cps = word.codePoints().toArray();
        if (cps.length > MAX_CHARS_PER_WORD) {
            out.add(unk);
            return;
        }
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (start < cps.length) {
            String match = null;
            int end = cps.length;
            while (end > start) {
                String piece = new String(cps, start, end - start);
                if (start > 0) {
                    piece = CONTINUATION + piece;
                }
                if (ids.containsKey(piece)) {
                    match = piece;
                    break;
                }
                end--;
            }
            if (match == null) {
                out.add(unk);
                return;
            }
            pieces.add(match);
            start = end;
        }
        out.addAll(pieces);
    }
}

package io.conceptseg.encoder.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.stage.TextEmbedding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CachingTextEncoderTest {
    @TempDir
    Path dir;

    private ModelPackage model;
    private CountingSession session;
    private final WordPieceTokenizer tok = new WordPieceTokenizer(WordPieceTokenizerTest.VOCAB, 8,
            WordPieceTokenizerTest.SPECIAL, "vocab.txt");

    @BeforeEach
    void setUp() {
        model = CountingSession.model(dir, "m");
        session = new CountingSession(model, "cpu");
    }

    /** Row {@code b} of the embedding holds the fake stage's features of {@code phrase}. */
    private void assertRow(TextEmbedding e, int b, String phrase) {
        long[] ids = tok.encode(phrase).ids();
        float[] f = e.features().batchFloats(b);
        float[] m = e.mask().batchFloats(b);
        for (int l = 0; l < 8; l++) {
            for (int d = 0; d < CountingSession.D; d++) {
                assertEquals(ids[l] * 100 + d, f[l * CountingSession.D + d], "row " + b + " (" + phrase + ") token " + l);
            }
            assertEquals(tok.encode(phrase).attentionMask()[l], (long) m[l]);
        }
    }

    @Test
    void encodesABatchInRequestOrder() {
        CachingTextEncoder enc = new CachingTextEncoder();
        TextEmbedding e = enc.encode(session, List.of("washers", "rust spot", "wash"));
        assertEquals(List.of("washers", "rust spot", "wash"), e.phrases());
        assertArrayEquals(new long[] {3, 8, 3}, e.features().shape());
        assertArrayEquals(new long[] {3, 8}, e.mask().shape());
        assertRow(e, 0, "washers");
        assertRow(e, 1, "rust spot");
        assertRow(e, 2, "wash");
        assertEquals(List.of(3), session.batches, "one run for the whole batch");
    }

    @Test
    void cachedPhrasesAreNotRunAgain() {
        CachingTextEncoder enc = new CachingTextEncoder();
        enc.encode(session, List.of("rust spot", "washer"));
        TextEmbedding e = enc.encode(session, List.of("washer", "rust", "rust spot"));
        assertEquals(List.of(2, 1), session.batches, "only \"rust\" ran the second time");
        assertRow(e, 0, "washer");
        assertRow(e, 1, "rust");
        assertRow(e, 2, "rust spot");
        enc.encode(session, List.of("rust spot", "rust", "washer"));
        assertEquals(2, session.runs(), "all cached: no run");
        assertEquals(5, enc.cache().hits());
    }

    @Test
    void spellingsThatTokeniseAlikeShareAnEntryAndDuplicatesRunOnce() {
        CachingTextEncoder enc = new CachingTextEncoder();
        TextEmbedding e = enc.encode(session, List.of("Rust Spot", "rust  spot", "rust spot"));
        assertEquals(List.of(1), session.batches);
        assertEquals(List.of("Rust Spot", "rust  spot", "rust spot"), e.phrases());
        for (int b = 0; b < 3; b++) {
            assertRow(e, b, "rust spot");
        }
    }

    @Test
    void entriesAreKeptPerBackendAndPerModel() {
        CachingTextEncoder enc = new CachingTextEncoder();
        enc.encode(session, List.of("rust"));
        CountingSession onnx = new CountingSession(model, "onnx");
        enc.encode(onnx, List.of("rust"));
        assertEquals(1, onnx.runs(), "another backend's features are not reused");
        CountingSession other = new CountingSession(CountingSession.model(dir.resolve("other"), "m2"), "cpu");
        enc.encode(other, List.of("rust"));
        assertEquals(1, other.runs(), "another model's features are not reused");
        enc.encode(session, List.of("rust"));
        assertEquals(1, session.runs());
    }

    @Test
    void theCacheIsBoundedLeastRecentlyUsedFirst() {
        CachingTextEncoder enc = new CachingTextEncoder(2);
        enc.encode(session, List.of("rust"));
        enc.encode(session, List.of("spot"));
        enc.encode(session, List.of("rust"));           // rust is now the most recent
        enc.encode(session, List.of("washer"));         // evicts spot
        assertEquals(2, enc.cache().size());
        assertEquals(3, session.runs());
        enc.encode(session, List.of("rust"));
        assertEquals(3, session.runs(), "rust stayed");
        enc.encode(session, List.of("spot"));
        assertEquals(4, session.runs(), "spot was evicted");
    }

    @Test
    void returnedTensorsDoNotAliasTheCache() {
        CachingTextEncoder enc = new CachingTextEncoder();
        TextEmbedding first = enc.encode(session, List.of("rust"));
        first.features().floats()[0] = -1;
        assertRow(enc.encode(session, List.of("rust")), 0, "rust");
    }

    @Test
    void badPhrasesFailTheRequestBeforeAnythingRuns() {
        CachingTextEncoder enc = new CachingTextEncoder();
        InvalidInputException blank = assertThrows(InvalidInputException.class,
                () -> enc.encode(session, List.of("rust", "   ")));
        assertTrue(blank.problem().contains("empty"), blank.getMessage());
        InvalidInputException tooLong = assertThrows(InvalidInputException.class,
                () -> enc.encode(session, List.of("rust", "rust rust rust rust rust rust rust")));
        assertTrue(tooLong.input().contains("rust rust rust rust rust rust rust"), tooLong.getMessage());
        assertTrue(tooLong.problem().contains("8"), tooLong.getMessage());
        assertThrows(InvalidInputException.class, () -> enc.encode(session, List.of()));
        assertEquals(0, session.runs());
    }

    @Test
    void aStageWithoutTheExpectedOutputsIsReported() {
        CountingSession broken = new CountingSession(model, "cpu", in -> Map.of("text_features",
                Tensor.ofFloats(new float[8 * 3], 1, 8, 3)));
        ConceptSegException e = assertThrows(ConceptSegException.class,
                () -> new CachingTextEncoder().encode(broken, List.of("rust")));
        assertTrue(e.getMessage().contains("text_mask") && e.getMessage().contains("text"), e.getMessage());
        CountingSession wrongShape = new CountingSession(model, "cpu", in -> Map.of(
                "text_features", Tensor.ofFloats(new float[16 * 3], 2, 8, 3),
                "text_mask", Tensor.ofFloats(new float[16], 2, 8)));
        ConceptSegException s = assertThrows(ConceptSegException.class,
                () -> new CachingTextEncoder().encode(wrongShape, List.of("rust")));
        assertTrue(s.getMessage().contains("[2, 8, 3]"), s.getMessage());
    }

    @Test
    void concurrentRequestsGetTheirOwnRows() throws Exception {
        CachingTextEncoder enc = new CachingTextEncoder(4);
        List<String> phrases = List.of("rust", "spot", "washer", "washers", "rust spot", "wash", "r", "spots");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int shift = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        List<String> batch = List.of(phrases.get((i + shift) % 8), phrases.get((i * 3 + shift) % 8));
                        TextEmbedding e = enc.encode(session, batch);
                        assertRow(e, 0, batch.get(0));
                        assertRow(e, 1, batch.get(1));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(enc.cache().size() <= 4);
    }
}

package io.conceptseg.encoder.text;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.DType;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.model.StageSpec;
import io.conceptseg.api.model.TensorSpec;
import io.conceptseg.api.stage.ModelSession;
import io.conceptseg.api.stage.TextEmbedding;
import io.conceptseg.api.stage.TextEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The text encoder: tokenises phrases with the model's WordPiece vocabulary, runs the "text"
 * stage once for all phrases not yet cached, and keeps each phrase's features and mask in a
 * bounded LRU cache per (model, backend, token ids). Thread-safe; holds no threads.
 *
 * <p>Configuration (PID {@code io.conceptseg.encoder.text.CachingTextEncoder}):
 * {@code cache.size}, the most phrases kept (default 1024; 0 disables the cache).
 */
@Component(service = TextEncoder.class)
public class CachingTextEncoder implements TextEncoder {
    /** The stage this encoder runs. */
    static final String STAGE = "text";
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String FEATURES = "text_features";
    static final String MASK = "text_mask";
    /** Phrases cached when no configuration says otherwise. */
    static final int DEFAULT_CACHE_SIZE = 1024;
    private static final int TOKENIZERS_KEPT = 8;

    /** The component's configuration. */
    @interface Config {
        /** The most phrases whose embeddings are kept; 0 disables the cache. */
        int cache_size() default DEFAULT_CACHE_SIZE;
    }

    private volatile EmbeddingCache cache;
    private final Map<String, WordPieceTokenizer> tokenizers = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, WordPieceTokenizer> eldest) {
            return size() > TOKENIZERS_KEPT;
        }
    };

    /** An encoder with the default cache size (DS activation may replace it). */
    public CachingTextEncoder() {
        this(DEFAULT_CACHE_SIZE);
    }

    /** An encoder caching at most {@code cacheSize} phrases. */
    CachingTextEncoder(int cacheSize) {
        this.cache = new EmbeddingCache(cacheSize);
    }

    @Activate
    void activate(Config config) {
        if (config.cache_size() < 0) {
            throw new IllegalArgumentException("cache.size must be >= 0, got " + config.cache_size());
        }
        cache = new EmbeddingCache(config.cache_size());
    }

    @Deactivate
    void deactivate() {
        cache.clear();
        synchronized (tokenizers) {
            tokenizers.clear();
        }
    }

    /** The cache, for tests and statistics. */
    EmbeddingCache cache() { return cache; }

    @Override
    public TextEmbedding encode(ModelSession session, List<String> phrases) {
        if (phrases == null || phrases.isEmpty()) {
            throw new InvalidInputException("phrases", "no phrase given");
        }
        ModelPackage model = session.model();
        checkSignature(model);
        WordPieceTokenizer tokenizer = tokenizer(model);
        int length = tokenizer.contextLength();

        // every phrase is checked before anything runs: one bad phrase fails the request alone
        List<WordPieceTokenizer.Encoding> encodings = new ArrayList<>(phrases.size());
        for (String phrase : phrases) {
            if (phrase == null || phrase.isBlank()) {
                throw new InvalidInputException("phrase \"" + (phrase == null ? "" : phrase) + "\"",
                        "the phrase is empty; give a noun phrase such as \"rust spot\"");
            }
            encodings.add(tokenizer.encode(phrase));
        }

        EmbeddingCache c = cache;
        EmbeddingCache.Entry[] entries = new EmbeddingCache.Entry[phrases.size()];
        EmbeddingCache.Key[] keys = new EmbeddingCache.Key[phrases.size()];
        Map<EmbeddingCache.Key, WordPieceTokenizer.Encoding> missing = new LinkedHashMap<>();
        for (int i = 0; i < entries.length; i++) {
            keys[i] = new EmbeddingCache.Key(model.id(), model.root().toString(), session.backendId(),
                    encodings.get(i).ids());
            entries[i] = c.get(keys[i]);
            if (entries[i] == null) {
                missing.putIfAbsent(keys[i], encodings.get(i));
            }
        }
        if (!missing.isEmpty()) {
            Map<EmbeddingCache.Key, EmbeddingCache.Entry> computed = run(session, missing, length);
            computed.forEach(c::put);
            for (int i = 0; i < entries.length; i++) {
                if (entries[i] == null) {
                    entries[i] = computed.get(keys[i]);
                }
            }
        }
        return assemble(phrases, entries, length);
    }

    /** Runs the text stage on the phrases in {@code missing}, one row each, in map order. */
    private static Map<EmbeddingCache.Key, EmbeddingCache.Entry> run(ModelSession session,
            Map<EmbeddingCache.Key, WordPieceTokenizer.Encoding> missing, int length) {
        int batch = missing.size();
        long[] ids = new long[batch * length];
        long[] mask = new long[batch * length];
        int row = 0;
        for (WordPieceTokenizer.Encoding e : missing.values()) {
            System.arraycopy(e.ids(), 0, ids, row * length, length);
            System.arraycopy(e.attentionMask(), 0, mask, row * length, length);
            row++;
        }
        Map<String, Tensor> out = session.runner(STAGE).run(Map.of(
                INPUT_IDS, Tensor.ofLongs(ids, batch, length),
                ATTENTION_MASK, Tensor.ofLongs(mask, batch, length)));
        String where = "stage " + STAGE + " on backend " + session.backendId();
        Tensor features = output(out, FEATURES, where);
        Tensor textMask = output(out, MASK, where);
        if (features.rank() != 3 || features.dim(0) != batch || features.dim(1) != length
                || textMask.rank() != 2 || textMask.dim(0) != batch || textMask.dim(1) != length) {
            throw new ConceptSegException(where, "returned " + FEATURES + Arrays.toString(features.shape()) + " and "
                    + MASK + Arrays.toString(textMask.shape()) + " for " + batch + " phrases of " + length
                    + " tokens (expected [" + batch + ", " + length + ", D] and [" + batch + ", " + length + "])");
        }
        int d = (int) features.dim(2);
        Map<EmbeddingCache.Key, EmbeddingCache.Entry> computed = new LinkedHashMap<>();
        row = 0;
        for (EmbeddingCache.Key key : missing.keySet()) {
            computed.put(key, new EmbeddingCache.Entry(Tensor.ofFloats(features.batchFloats(row), 1, length, d),
                    Tensor.ofFloats(textMask.batchFloats(row), 1, length)));
            row++;
        }
        return computed;
    }

    private static Tensor output(Map<String, Tensor> out, String name, String where) {
        Tensor t = out == null ? null : out.get(name);
        if (t == null) {
            throw new ConceptSegException(where, "returned no " + name + " output");
        }
        if (t.dtype() != DType.FLOAT32) {
            throw new ConceptSegException(where, "returned " + name + " as " + t.dtype() + ", expected float32");
        }
        return t;
    }

    /** The batch in request order; the cached arrays are copied, never handed out. */
    private static TextEmbedding assemble(List<String> phrases, EmbeddingCache.Entry[] entries, int length) {
        int d = (int) entries[0].features().dim(2);
        int per = length * d;
        float[] features = new float[entries.length * per];
        float[] mask = new float[entries.length * length];
        for (int i = 0; i < entries.length; i++) {
            System.arraycopy(entries[i].features().floats(), 0, features, i * per, per);
            System.arraycopy(entries[i].mask().floats(), 0, mask, i * length, length);
        }
        return new TextEmbedding(phrases, Tensor.ofFloats(features, entries.length, length, d),
                Tensor.ofFloats(mask, entries.length, length));
    }

    /** Checks the model's text stage takes and gives the tensors this encoder binds by name. */
    private static void checkSignature(ModelPackage model) {
        StageSpec stage = model.descriptor().stage(STAGE);
        if (stage == null) {
            throw new ModelPackageException("model " + model.id(), "model.json declares no " + STAGE + " stage");
        }
        for (String name : List.of(INPUT_IDS, ATTENTION_MASK)) {
            if (stage.inputs().stream().map(TensorSpec::name).noneMatch(name::equals)) {
                throw new ModelPackageException("model " + model.id(), "the " + STAGE + " stage has no input " + name);
            }
        }
        for (String name : List.of(FEATURES, MASK)) {
            if (stage.output(name) == null) {
                throw new ModelPackageException("model " + model.id(), "the " + STAGE + " stage has no output " + name);
            }
        }
    }

    private WordPieceTokenizer tokenizer(ModelPackage model) {
        String key = model.id() + "@" + model.root();
        synchronized (tokenizers) {
            WordPieceTokenizer t = tokenizers.get(key);
            if (t == null) {
                t = WordPieceTokenizer.of(model);
                tokenizers.put(key, t);
            }
            return t;
        }
    }
}

package io.conceptseg.encoder.text;

import io.conceptseg.api.backend.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded least-recently-used cache of per-phrase text stage outputs, thread-safe. Entries are
 * keyed by model, backend and the phrase's token ids: backends differ in the last bits, and two
 * spellings that tokenise alike ("Rust spot", "rust  spot") share one entry.
 */
final class EmbeddingCache {
    /**
     * What identifies one phrase's features.
     *
     * @param modelId model id
     * @param modelRoot the package folder (a reinstalled model with the same id is another model)
     * @param backendId backend that computed them
     * @param ids the phrase's token ids
     */
    record Key(String modelId, String modelRoot, String backendId, long[] ids) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && modelId.equals(k.modelId) && modelRoot.equals(k.modelRoot)
                    && backendId.equals(k.backendId) && Arrays.equals(ids, k.ids);
        }

        @Override
        public int hashCode() {
            return ((modelId.hashCode() * 31 + modelRoot.hashCode()) * 31 + backendId.hashCode()) * 31
                    + Arrays.hashCode(ids);
        }

        @Override
        public String toString() {
            return modelId + "/" + backendId + Arrays.toString(ids);
        }
    }

    /**
     * One phrase's text stage outputs.
     *
     * @param features [1, L, D]
     * @param mask [1, L]
     */
    record Entry(Tensor features, Tensor mask) { }

    private final int capacity;
    private final LinkedHashMap<Key, Entry> map;
    private long hits;
    private long misses;

    /** @param capacity the most entries kept */
    EmbeddingCache(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("cache capacity must be >= 0, got " + capacity);
        }
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
                return size() > EmbeddingCache.this.capacity;
            }
        };
    }

    /** The entry, or null; counts a hit or a miss. */
    synchronized Entry get(Key key) {
        Entry e = map.get(key);
        if (e == null) {
            misses++;
        } else {
            hits++;
        }
        return e;
    }

    synchronized void put(Key key, Entry entry) {
        if (capacity > 0) {
            map.put(key, entry);
        }
    }

    synchronized int size() { return map.size(); }

    synchronized long hits() { return hits; }

    synchronized long misses() { return misses; }

    synchronized void clear() { map.clear(); }
}

package io.conceptseg.commons.testing;

import io.conceptseg.api.backend.Tensor;
import java.util.HashMap;
import java.util.Map;

/**
 * Inputs for the backends' synthetic toy packages (made by commons/src/test/python/toy_package.py
 * and each backend's make_toy_package.py): {@code features} float32 [B, 3, 4] and {@code ids}
 * int64 [B, L], with values a test can compute the outputs of.
 */
public final class ToyInputs {
    private ToyInputs() { }

    /**
     * features[i] = i / 4 - 3 and ids[i] = firstId + 7 i, in row-major order; a mutable map (tests
     * damage it).
     */
    public static Map<String, Tensor> of(int batch, int length, long firstId) {
        float[] f = new float[batch * 12];
        for (int i = 0; i < f.length; i++) {
            f[i] = i * 0.25f - 3f;
        }
        long[] ids = new long[batch * length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i * 7L + firstId;
        }
        Map<String, Tensor> m = new HashMap<>();
        m.put("features", Tensor.ofFloats(f, batch, 3, 4));
        m.put("ids", Tensor.ofLongs(ids, batch, length));
        return m;
    }
}

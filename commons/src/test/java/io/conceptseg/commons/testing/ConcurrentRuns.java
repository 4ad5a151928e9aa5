package io.conceptseg.commons.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.conceptseg.api.backend.DType;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.backend.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Many threads sharing one stage runner: every run must give the result a single run gives. */
public final class ConcurrentRuns {
    private ConcurrentRuns() { }

    /**
     * Runs {@code inputs} once for reference, then {@code runs} times on {@code threads} threads at
     * once, and asserts every run returned the same outputs as the reference, bit for bit.
     */
    public static void assertIdenticalResults(StageRunner runner, Map<String, Tensor> inputs, int threads, int runs)
            throws Exception {
        Map<String, Tensor> reference = runner.run(inputs);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Map<String, Tensor>>> futures = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                futures.add(pool.submit(() -> runner.run(inputs)));
            }
            for (Future<Map<String, Tensor>> f : futures) {
                Map<String, Tensor> out = f.get();
                assertEquals(reference.keySet(), out.keySet(), "outputs");
                for (Map.Entry<String, Tensor> e : reference.entrySet()) {
                    assertSameTensor(e.getKey(), e.getValue(), out.get(e.getKey()));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertSameTensor(String name, Tensor expected, Tensor actual) {
        assertEquals(expected.dtype(), actual.dtype(), name + " dtype");
        assertArrayEquals(expected.shape(), actual.shape(), name + " shape");
        if (expected.dtype() == DType.FLOAT32) {
            assertArrayEquals(expected.floats(), actual.floats(), name);
        } else {
            assertArrayEquals(expected.longs(), actual.longs(), name);
        }
    }
}

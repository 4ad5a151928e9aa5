package io.conceptseg.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.backend.Availability;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.commons.testing.ConcurrentRuns;
import io.conceptseg.commons.testing.FixtureCheck;
import io.conceptseg.commons.testing.TestPackages;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The backend's life cycle: identity, threads started and ended, runners closed, concurrent runs. */
class BackendTest {
    private static long poolThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(WorkerPool.THREAD_PREFIX) && t.isAlive()).count();
    }

    @Test
    void describesItself() {
        CpuBackend b = new CpuBackend();
        b.configure(null, 3);
        try {
            assertEquals("cpu", b.id());
            assertEquals(100, b.priority());
            assertEquals(List.of("cpu"), b.devices());
            Availability a = b.availability();
            assertTrue(a.available());
            assertEquals("pure Java, 3 worker threads", a.reason());
        } finally {
            b.deactivate();
        }
        assertFalse(b.availability().available());
    }

    @Test
    void aStoppedBackendLeavesNoThreadBehind() {
        long before = poolThreads();
        CpuBackend b = new CpuBackend();
        b.configure(null, 4);
        ModelPackage tiny = TestPackages.inspectionTiny();
        StageRunner vision = b.load(tiny, "vision");
        vision.run(FixtureCheck.inputs(tiny, "vision"));
        assertEquals(before + 3, poolThreads(), "the caller plus 3 workers");
        // a new thread count swaps the pool: the old one's threads end
        b.configure(null, 2);
        assertEquals(before + 1, poolThreads());
        vision.run(FixtureCheck.inputs(tiny, "vision"));
        b.deactivate();
        assertEquals(before, poolThreads(), "threads left after deactivate");
        ConceptSegException closed = assertThrows(ConceptSegException.class, () -> vision.run(FixtureCheck.inputs(tiny, "vision")));
        assertTrue(closed.getMessage().contains("the cpu runner is closed"), closed.getMessage());
        ConceptSegException stopped = assertThrows(ConceptSegException.class, () -> b.load(tiny, "text"));
        assertEquals("cpu backend: is stopped; cannot load stage 'text' of model inspection-tiny", stopped.getMessage());
    }

    @Test
    void deactivateClosesEveryRunner() {
        CpuBackend b = new CpuBackend();
        b.configure(null, 2);
        ModelPackage tiny = TestPackages.inspectionTiny();
        CpuStageRunner text = (CpuStageRunner) b.load(tiny, "text");
        CpuStageRunner geometry = (CpuStageRunner) b.load(tiny, "geometry");
        assertEquals(2, b.openRunners().size());
        geometry.close();
        geometry.close(); // idempotent
        assertEquals(1, b.openRunners().size());
        b.deactivate();
        assertTrue(text.isClosed());
        assertTrue(b.openRunners().isEmpty());
    }

    @Test
    void concurrentRunsGiveTheSameResults() throws Exception {
        CpuBackend b = new CpuBackend();
        b.configure(null, 2);
        ModelPackage tiny = TestPackages.inspectionTiny();
        try (StageRunner decoder = b.load(tiny, "decoder")) {
            ConcurrentRuns.assertIdenticalResults(decoder, FixtureCheck.inputs(tiny, "decoder"), 4, 8);
        } finally {
            b.deactivate();
        }
    }

    @Test
    void theWorkerPoolRunsEveryTaskOnceAndReportsFailures() {
        try (WorkerPool pool = new WorkerPool(3)) {
            AtomicIntegerArray counts = new AtomicIntegerArray(1000);
            pool.forEach(1000, i -> counts.incrementAndGet(i));
            for (int i = 0; i < 1000; i++) {
                assertEquals(1, counts.get(i));
            }
            AtomicIntegerArray ran = new AtomicIntegerArray(50);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.forEach(50, i -> {
                ran.incrementAndGet(i);
                if (i == 7) {
                    throw new IllegalArgumentException("task 7");
                }
            }));
            assertEquals("task 7", e.getMessage());
            for (int i = 0; i < 50; i++) {
                assertEquals(1, ran.get(i), "the other tasks still run");
            }
            pool.close();
            assertEquals(0, pool.liveThreads());
            assertThrows(IllegalStateException.class, () -> pool.forEach(2, i -> { }));
        }
    }

    @Test
    void badInputsGetOneMessageNamingStageAndTensor() {
        CpuBackend b = new CpuBackend();
        b.configure(null, 2);
        ModelPackage tiny = TestPackages.inspectionTiny();
        try (StageRunner vision = b.load(tiny, "vision"); StageRunner text = b.load(tiny, "text");
                StageRunner geometry = b.load(tiny, "geometry"); StageRunner fusion = b.load(tiny, "fusion")) {
            // the checks every backend shares (axis, rank, dtype, missing) are InspectionTinyContract's
            ConceptSegException missing = assertThrows(ConceptSegException.class, () -> vision.run(Map.of()));
            assertEquals("stage 'vision' input 'images': missing (stage 'vision' needs [images], got [])", missing.getMessage());

            Map<String, Tensor> batches = new HashMap<>();
            batches.put("input_ids", Tensor.ofLongs(new long[32], 2, 16));
            batches.put("attention_mask", Tensor.ofLongs(new long[16], 1, 16));
            ConceptSegException batch = assertThrows(ConceptSegException.class, () -> text.run(batches));
            assertEquals("stage 'text' input 'attention_mask': axis 0 is B = 1, but input 'input_ids' has B = 2", batch.getMessage());

            long[] ids = new long[16];
            ids[3] = 753;
            Map<String, Tensor> badId = new HashMap<>();
            badId.put("input_ids", Tensor.ofLongs(ids, 1, 16));
            badId.put("attention_mask", Tensor.ofLongs(new long[16], 1, 16));
            ConceptSegException vocab = assertThrows(ConceptSegException.class, () -> text.run(badId));
            assertEquals("stage 'text' input 'input_ids': token id 753 at [0, 3] is outside the vocabulary [0, 753)",
                    vocab.getMessage());

            Map<String, Tensor> geo = FixtureCheck.inputs(tiny, "geometry");
            long[] labels = geo.get("input_labels").longs().clone();
            labels[1] = 7;
            geo.put("input_labels", Tensor.ofLongs(labels, geo.get("input_labels").shape()));
            ConceptSegException label = assertThrows(ConceptSegException.class, () -> geometry.run(geo));
            assertTrue(label.getMessage().startsWith("stage 'geometry' input 'input_labels': label 7 at [0, 1] is not one of -1"),
                    label.getMessage());

            Map<String, Tensor> noPrompt = FixtureCheck.inputs(tiny, "fusion");
            noPrompt.put("prompt_features", Tensor.ofFloats(new float[0], 2, 0, 32));
            noPrompt.put("prompt_mask", Tensor.ofFloats(new float[0], 2, 0));
            ConceptSegException empty = assertThrows(ConceptSegException.class, () -> fusion.run(noPrompt));
            assertEquals("stage 'fusion' input 'prompt_features': has no prompt tokens (P = 0); every prompt needs at least one",
                    empty.getMessage());

            // nothing broke: the runners still work
            FixtureCheck.assertReproduces(tiny, text, 1e-3);
        } finally {
            b.deactivate();
        }
    }

    @Test
    void geometryAcceptsNoPromptsAndBatchesOfOne() {
        CpuBackend b = new CpuBackend();
        b.configure(null, 2);
        ModelPackage tiny = TestPackages.inspectionTiny();
        try (StageRunner geometry = b.load(tiny, "geometry")) {
            Map<String, Tensor> in = FixtureCheck.inputs(tiny, "geometry");
            in.put("input_boxes", Tensor.ofFloats(new float[0], 2, 0, 4));
            in.put("input_labels", Tensor.ofLongs(new long[0], 2, 0));
            Map<String, Tensor> out = geometry.run(in);
            assertEquals(List.of(2L, 0L, 32L), java.util.Arrays.stream(out.get("geometry_features").shape()).boxed().toList());
            assertEquals(List.of(2L, 0L), java.util.Arrays.stream(out.get("geometry_mask").shape()).boxed().toList());
        } finally {
            b.deactivate();
        }
    }
}

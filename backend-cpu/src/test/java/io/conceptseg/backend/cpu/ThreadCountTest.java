package io.conceptseg.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ThreadCountTest {
    @Test
    void thePropertyWinsOverTheConfiguration() {
        assertEquals(new ThreadCount.Resolved(3, null), ThreadCount.resolve("3", 5, 8));
        assertEquals(new ThreadCount.Resolved(5, null), ThreadCount.resolve(null, 5, 8));
        assertEquals(new ThreadCount.Resolved(5, null), ThreadCount.resolve("  ", 5, 8));
    }

    @Test
    void zeroMeansOnePerProcessor() {
        assertEquals(8, ThreadCount.resolve(null, 0, 8).threads());
        assertEquals(1, ThreadCount.resolve(null, 0, 0).threads());
        assertNull(ThreadCount.resolve(null, 0, 8).problem());
    }

    @Test
    void aBadSettingFallsBackAndSaysWhy() {
        ThreadCount.Resolved bad = ThreadCount.resolve("many", 2, 4);
        assertEquals(4, bad.threads());
        assertEquals("conceptseg.cpu.threads 'many' is not a positive integer; using 4 threads (one per processor)", bad.problem());
        assertEquals(4, ThreadCount.resolve("0", 2, 4).threads());
        ThreadCount.Resolved negative = ThreadCount.resolve(null, -1, 4);
        assertEquals(4, negative.threads());
        assertTrue(negative.problem().startsWith("io.conceptseg.backend.cpu threads = -1 is negative"), negative.problem());
        CpuBackend b = new CpuBackend();
        b.configure("many", 0);
        try {
            assertTrue(b.availability().available(), "the cpu backend stays available");
            assertTrue(b.availability().reason().contains("(conceptseg.cpu.threads 'many' is not a positive integer"),
                    b.availability().reason());
        } finally {
            b.deactivate();
        }
    }
}

package io.conceptseg.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ConceptSegException;
import org.junit.jupiter.api.Test;

class ThreadCountTest {
    @Test
    void defaultsToOnePerProcessor() {
        assertEquals(6, ThreadCount.resolve(null, 0, 6));
        assertEquals(6, ThreadCount.resolve("  ", 0, 6));
    }

    @Test
    void configurationThenPropertyWins() {
        assertEquals(3, ThreadCount.resolve(null, 3, 6));
        assertEquals(2, ThreadCount.resolve("2", 3, 6));
        assertEquals(2, ThreadCount.resolve(" 2 ", 0, 6));
    }

    @Test
    void rejectsValuesThatAreNotPositive() {
        ConceptSegException p = assertThrows(ConceptSegException.class, () -> ThreadCount.resolve("0", 0, 6));
        assertEquals("conceptseg.onnx.threads", p.input());
        assertThrows(ConceptSegException.class, () -> ThreadCount.resolve("two", 0, 6));
        ConceptSegException c = assertThrows(ConceptSegException.class, () -> ThreadCount.resolve(null, -1, 6));
        assertTrue(c.input().contains("io.conceptseg.backend.onnx"), c.getMessage());
    }
}

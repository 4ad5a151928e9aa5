package io.conceptseg.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StartOrderTest {
    @Test
    void servicesThenConceptSegThenShellThenConsole() {
        int scr = StartOrder.rank("org.apache.felix.scr", true);
        int pipeline = StartOrder.rank("io.conceptseg.pipeline", true);
        int shell = StartOrder.rank("io.conceptseg.shell", true);
        int console = StartOrder.rank("org.apache.felix.gogo.jline", true);
        assertTrue(scr < pipeline && pipeline < shell && shell < console);
    }

    @Test
    void oneShotCommandsNeverStartTheConsole() {
        assertEquals(StartOrder.NEVER, StartOrder.rank("org.apache.felix.gogo.jline", false));
        assertEquals(StartOrder.NEVER, StartOrder.rank("org.jline", false));
        assertEquals(StartOrder.rank("org.apache.felix.gogo.runtime", true), StartOrder.rank("org.apache.felix.gogo.runtime", false));
    }
}

package io.conceptseg.commons.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.conceptseg.api.ConceptSegException;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class CheckedSettingTest {
    /** Keeps what is logged. */
    private static final class Recording implements System.Logger {
        final List<String> errors = new ArrayList<>();

        @Override
        public String getName() { return "test"; }

        @Override
        public boolean isLoggable(Level level) { return true; }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            errors.add(level + " " + msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            errors.add(level + " " + format);
        }
    }

    @Test
    void aBadConfigurationKeepsTheValueAndTheErrorUntilAGoodOne() {
        Recording log = new Recording();
        CheckedSetting<Integer> threads = new CheckedSetting<>(4);
        assertEquals(4, threads.value());
        assertNull(threads.error());

        ConceptSegException bad = new ConceptSegException("conceptseg.x.threads", "'many' is not a positive integer");
        Supplier<Integer> failing = () -> {
            throw bad;
        };
        threads.apply(failing, log);
        assertEquals(4, threads.value(), "the previous value stays");
        assertSame(bad, threads.error());
        assertEquals(List.of("ERROR conceptseg.x.threads: 'many' is not a positive integer"), log.errors);

        threads.apply(() -> 2, log);
        assertEquals(2, threads.value());
        assertNull(threads.error());
        assertEquals(1, log.errors.size(), "a good configuration logs nothing");
    }
}

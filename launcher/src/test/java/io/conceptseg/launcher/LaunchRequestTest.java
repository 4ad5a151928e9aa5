package io.conceptseg.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LaunchRequestTest {
    private static LaunchRequest parse(String... args) throws UsageException {
        return LaunchRequest.parse(List.of(args), Map.of(), Map.of());
    }

    @Test
    void commandArgumentsPassThroughVerbatimIncludingTheirOptions() throws UsageException {
        LaunchRequest r = parse("--wait", "5", "segment", "a.png", "rust spot", "--out", "/tmp/x", "--debug");
        assertEquals("segment", r.command());
        assertEquals(List.of("a.png", "rust spot", "--out", "/tmp/x", "--debug"), r.arguments());
        assertEquals(5, r.waitSeconds());
        assertFalse(r.debug(), "--debug after the command belongs to the command");
        assertFalse(r.interactive());
    }

    @Test
    void launcherOptionsAndDefaults() throws UsageException {
        LaunchRequest r = parse("--debug", "--timeout=60", "--model-dir", "models", "--model-dir=/abs", "backends");
        assertTrue(r.debug());
        assertEquals(60, r.timeoutSeconds());
        assertEquals(LaunchRequest.DEFAULT_WAIT_SECONDS, r.waitSeconds());
        assertEquals(List.of(Path.of("models").toAbsolutePath(), Path.of("/abs")), r.modelDirs());
        assertTrue(parse("shell").interactive());
    }

    @Test
    void modelDirEnvironmentAddsFolders() throws UsageException {
        LaunchRequest r = LaunchRequest.parse(List.of("--model-dir", "/a", "models"),
                Map.of(LaunchRequest.MODEL_DIR_ENV, "/b:rel"), Map.of());
        assertEquals(List.of(Path.of("/a"), Path.of("/b"), Path.of("rel").toAbsolutePath()), r.modelDirs());
        assertEquals("/a:/b:" + Path.of("rel").toAbsolutePath(), r.modelDirsProperty());
    }

    @Test
    void helpNeedsNoCommand() throws UsageException {
        assertTrue(parse("--help").help());
        assertTrue(parse("-h").help());
        assertTrue(parse("help").help());
        assertTrue(parse("eval", "--help").help(), "after a command too");
        assertTrue(parse("segment", "part.png", "-h").help());
        assertEquals(List.of("part.png", "help"), parse("segment", "part.png", "help").arguments(), "a phrase may be 'help'");
    }

    @Test
    void badArgumentsAreUsageErrorsNamingTheProblem() {
        assertEquals("no command given (see --help)", assertThrows(UsageException.class, () -> parse()).getMessage());
        assertEquals("unknown option --out (launcher options go before the command; see --help)",
                assertThrows(UsageException.class, () -> parse("--out", "x", "segment")).getMessage());
        assertEquals("--wait needs a value", assertThrows(UsageException.class, () -> parse("--wait")).getMessage());
        assertEquals("--timeout 0: must be at least 1 seconds",
                assertThrows(UsageException.class, () -> parse("--timeout", "0", "models")).getMessage());
        assertEquals("--wait soon: not a whole number of seconds",
                assertThrows(UsageException.class, () -> parse("--wait", "soon", "models")).getMessage());
        assertEquals("not a command: cs:segment (see --help)",
                assertThrows(UsageException.class, () -> parse("cs:segment", "a.png")).getMessage());
    }

    @Test
    void configurationCarriesTheQuotedCommandLine() throws UsageException {
        LaunchRequest r = parse("--model-dir", "/m", "segment", "a.png", "rust spot");
        Map<String, Object> config = new Launcher(r, System.err).configuration(Path.of("/tmp/s"), Path.of("/d"));
        assertEquals("segment", config.get("conceptseg.command"));
        assertEquals("cs:segment 'a.png' 'rust spot'", config.get("conceptseg.command.line"));
        assertEquals("/m", config.get("conceptseg.model.dirs"));
        assertEquals("/tmp/s", config.get("org.osgi.framework.storage"));
        assertEquals("30", config.get("conceptseg.wait.seconds"));

        Map<String, Object> shell = new Launcher(parse("shell"), System.err).configuration(Path.of("/tmp/s"), Path.of("/d"));
        assertFalse(shell.containsKey("conceptseg.command.line"), "the console runs no one-shot command");
        assertFalse(shell.containsKey("conceptseg.model.dirs"));
    }
}

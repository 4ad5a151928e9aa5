package io.conceptseg.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The commands through the real Gogo runtime, the way the command-line runner executes them:
 * quoting, @Parameter options, varargs phrases, printed results, exit statuses, error lines.
 */
class GogoCommandLineTest {
    private final Fakes.Tasks tasks = new Fakes.Tasks();
    private final ConceptSegCommands commands = new ConceptSegCommands(tasks, new Fakes.Selector(), new Fakes.Registry());
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private boolean stopping;
    private PrintStream savedOut;
    private PrintStream savedErr;
    private ThreadIOImpl threadIO;
    private CommandProcessorImpl processor;

    @BeforeEach
    void startGogo() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        threadIO = new ThreadIOImpl();
        threadIO.start();
        processor = new CommandProcessorImpl(threadIO);
        for (String f : ConceptSegCommands.FUNCTIONS) {
            processor.addCommand("cs", commands, f);
        }
    }

    @AfterEach
    void stopGogo() {
        threadIO.stop();
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    private int run(String function, String line) {
        return CommandLineRunner.execute(processor, function, line, false, () -> stopping);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void quotedPhrasesStayOneArgumentAndOptionsMapAnywhere() {
        int status = run("segment", "cs:segment '--out' '/tmp/o u t' '--threshold' '0.25' 'my image.png' 'rust spot' 'washer' '$HOME' '*' '~'");

        assertEquals(CommandLineRunner.OK, status, err());
        assertEquals(Path.of("my image.png").toAbsolutePath(), tasks.image);
        assertEquals(List.of("rust spot", "washer", "$HOME", "*", "~"), tasks.phrases);
        assertEquals(Path.of("/tmp/o u t"), tasks.outDir);
        assertEquals(0.25, tasks.options.scoreThreshold());
        assertTrue(out().contains("rust spot  0.912  [10.0, 20.5, 30.0, 40.0]  1200\n"), out());
        assertTrue(out().endsWith("wrote /tmp/o u t/part.png\n"), out());
        assertEquals("", err());
    }

    @Test
    void singleQuoteInsideAnArgumentSurvivesTheLaunchersQuoting() {
        // the launcher writes ' as '\'' (close, escaped quote, reopen), as in POSIX shells
        int status = run("segment", "cs:segment 'a.png' 'operator'\\''s mark' 'x'");
        assertEquals(CommandLineRunner.OK, status, err());
        assertEquals(List.of("operator's mark", "x"), tasks.phrases);
    }

    @Test
    void serviceErrorIsOneLineOnStderrAndStatusOne() {
        tasks.failure = new InvalidInputException("/data/missing.png", "no such file");
        int status = run("segment", "cs:segment '/data/missing.png' 'washer'");
        assertEquals(CommandLineRunner.FAILED, status);
        assertEquals("conceptseg: error: /data/missing.png: no such file\n", err());
        assertEquals("", out());
    }

    @Test
    void missingImageIsAUsageError() {
        int status = run("segment", "cs:segment '--out' '/tmp/x'");
        assertEquals(CommandLineRunner.USAGE, status);
        assertEquals("conceptseg: wrong arguments for segment; usage: conceptseg " + Usage.of("segment") + "\n", err());
    }

    @Test
    void commandWithoutAnyArgumentIsAUsageError() {
        int status = run("segment", "cs:segment");
        assertEquals(CommandLineRunner.USAGE, status);
        assertTrue(err().startsWith("conceptseg: wrong arguments for segment; usage: conceptseg segment [--out DIR]"), err());
    }

    @Test
    void unexpectedExceptionIsOneLineWithoutStackTrace() {
        tasks.failure = new IllegalStateException("decoder produced 3 masks for 4 boxes");
        int status = run("bench", "cs:bench 'a.png' 'washer'");
        assertEquals(CommandLineRunner.FAILED, status);
        List<String> lines = err().lines().toList();
        assertEquals(1, lines.size(), err());
        assertTrue(lines.get(0).startsWith("conceptseg: error: IllegalStateException: decoder produced 3 masks for 4 boxes"), err());
    }

    @Test
    void failureWhileTheFrameworkStopsSaysSoInsteadOfTheConsequence() {
        tasks.failure = new IllegalStateException("backend went away");
        stopping = true;
        assertEquals(CommandLineRunner.FAILED, run("bench", "cs:bench 'a.png' 'washer'"));
        assertEquals("conceptseg: bench stopped: the framework is shutting down\n", err());
    }

    @Test
    void progressPrintedByACommandGoesToStderrAndTheSummaryToStdout() {
        int status = run("predict", "cs:predict '--out' 'r.json' 'ds'");
        assertEquals(CommandLineRunner.OK, status, err());
        assertTrue(err().startsWith("predict: 1/100 (1%) img1.png washer\n"), err());
        assertTrue(err().endsWith("predict: 100/100 (100%) img100.png washer\n"), err());
        assertTrue(out().startsWith("wrote 123 detections for 100 (image, phrase) pairs"), out());
    }

    @Test
    void gogoFunctionsListsTheCsCommandsGogoKnows() {
        processor.addCommand("other", commands, "models");
        assertEquals(new java.util.TreeSet<>(ConceptSegCommands.FUNCTIONS), CommandLineRunner.gogoFunctions(processor));
    }

    @Test
    void backendsPrintsTheTableOnStdout() {
        assertEquals(CommandLineRunner.OK, run("backends", "cs:backends"));
        assertTrue(out().startsWith("selection: auto (active: onnx)\nID    PRIORITY"), out());
    }
}

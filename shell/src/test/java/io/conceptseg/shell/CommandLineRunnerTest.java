package io.conceptseg.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runner's bounded wait for Gogo, the command and the service the command needs. */
class CommandLineRunnerTest {
    private final CommandProcessorImpl processor = new CommandProcessorImpl(new ThreadIOImpl());
    private final ConceptSegCommands commands = new ConceptSegCommands(null, null, null);
    private final CommandLineRunner runner = new CommandLineRunner();
    private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();

    CommandLineRunnerTest() {
        for (String f : ConceptSegCommands.FUNCTIONS) {
            processor.addCommand("cs", commands, f);
        }
    }

    @AfterEach
    void stop() {
        later.shutdownNow();
    }

    @Test
    void withoutGogoTheWaitEndsWithAClearReason() throws InterruptedException {
        CommandLineRunner.Blocker b = runner.awaitReady("segment", 100);
        assertFalse(b.unknownCommand());
        assertTrue(b.reason().startsWith("the Gogo runtime is not running"), b.reason());
    }

    @Test
    void missingServiceTimesOutAsPipelineNotRunning() throws InterruptedException {
        runner.processor = processor;
        runner.commands = commands;
        long start = System.nanoTime();
        CommandLineRunner.Blocker b = runner.awaitReady("segment", 300);
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertFalse(b.unknownCommand());
        assertTrue(b.reason().startsWith("pipeline not running: no SegmentationTasks service is registered"), b.reason());
        assertTrue(b.reason().endsWith("(waited 0 s; raise with --wait SECONDS)"), b.reason());
        assertTrue(waited >= 300 && waited < 3000, "waited " + waited + " ms");
    }

    @Test
    void aServiceThatArrivesDuringTheWaitLetsTheCommandRun() throws InterruptedException {
        runner.processor = processor;
        runner.commands = commands;
        later.schedule(() -> commands.registry = new Fakes.Registry(), 200, TimeUnit.MILLISECONDS);
        assertNull(runner.awaitReady("models", 5000));
    }

    @Test
    void unknownCommandIsAUsageErrorAfterAShortGraceListingTheCommands() throws InterruptedException {
        runner.processor = processor;
        runner.commands = commands;
        long start = System.nanoTime();
        CommandLineRunner.Blocker b = runner.awaitReady("frobnicate", 60_000);
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(b.unknownCommand());
        assertEquals("unknown command 'frobnicate'; the commands are: backend, backends, bench, models, predict, segment", b.reason());
        assertTrue(waited >= CommandLineRunner.UNKNOWN_GRACE_MILLIS && waited < 10_000, "waited " + waited + " ms");
    }
}

package io.conceptseg.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Parameter;
import org.junit.jupiter.api.Test;

/** The launcher's quoting against the real Gogo parser: what goes in as one process argument arrives as one string. */
class GogoQuotingTest {
    /** A command that records what Gogo hands it. */
    public static final class Recorder {
        final List<String> received = new ArrayList<>();
        String out;

        public void echo(String... args) {
            received.addAll(List.of(args));
        }

        public void segment(@Parameter(names = {"-o", "--out"}, absentValue = "") String out, String image, String... phrases) {
            this.out = out;
            received.add(image);
            received.addAll(List.of(phrases));
        }
    }

    private static Recorder run(List<String> args, String function) throws Exception {
        Recorder recorder = new Recorder();
        ThreadIOImpl tio = new ThreadIOImpl();
        CommandProcessorImpl processor = new CommandProcessorImpl(tio);
        processor.addCommand("cs", recorder, function);
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), sink, sink)) {
            session.execute(GogoQuoting.commandLine("cs", function, args));
        }
        return recorder;
    }

    @Test
    void quotesEachArgument() {
        assertEquals("cs:segment 'a.png' 'rust spot'", GogoQuoting.commandLine("cs", "segment", List.of("a.png", "rust spot")));
        assertEquals("'it'\\''s'", GogoQuoting.quote("it's"));
        assertEquals("cs:backends", GogoQuoting.commandLine("cs", "backends", List.of()));
    }

    @Test
    void awkwardArgumentsArriveUnchanged() throws Exception {
        List<String> args = List.of("rust spot", "it's", "'", "''", "\"quoted\"", "$HOME", "${x}", "~", "*.png", "a;b", "a|b",
                "{x}", "(y)", "a\\b", "tab\there", "é ñ 中", "#hash", "x=1", "&", "a  b ");
        assertEquals(args, run(args, "echo").received);
    }

    @Test
    void emptyArgumentStaysAnArgument() throws Exception {
        assertEquals(List.of("a", "", "b"), run(List.of("a", "", "b"), "echo").received);
    }

    @Test
    void optionsStillMapToParametersWhenQuoted() throws Exception {
        Recorder r = run(List.of("img one.png", "--out", "/tmp/my out", "rust spot", "washer"), "segment");
        assertEquals("/tmp/my out", r.out);
        assertEquals(List.of("img one.png", "rust spot", "washer"), r.received);
    }
}

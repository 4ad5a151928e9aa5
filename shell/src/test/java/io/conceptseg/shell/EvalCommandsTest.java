package io.conceptseg.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.AttributeAccuracy;
import io.conceptseg.api.ErrorBreakdown;
import io.conceptseg.api.EvalMetrics;
import io.conceptseg.api.EvalOptions;
import io.conceptseg.api.EvalReport;
import io.conceptseg.api.EvaluationTasks;
import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.LanguageAmbiguity;
import io.conceptseg.api.ProgressListener;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** cs:eval through the real Gogo runtime: option mapping, the printed summary, errors. */
class EvalCommandsTest {
    private final FakeEval tasks = new FakeEval();
    private final EvalCommands commands = new EvalCommands(tasks);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;
    private ThreadIOImpl threadIO;
    private CommandProcessorImpl processor;

    /** Records the call and answers a fixed report. */
    static final class FakeEval implements EvaluationTasks {
        Path dataset;
        EvalOptions options;
        RuntimeException failure;

        @Override
        public EvalReport evaluate(Path datasetDir, EvalOptions options, ProgressListener progress) {
            this.dataset = datasetDir;
            this.options = options;
            if (failure != null) {
                throw failure;
            }
            progress.progress(1, 2, "predict scene_00.png");
            progress.progress(2, 2, "predict scene_01.png");
            EvalMetrics m = metrics(24, 12, 16.875, 0.675, 0.25);
            EvalMetrics all = new EvalMetrics(24, 12, 12, 12, m.cgF1(), m.pmF1(), m.ilMcc(), 0.5, 0.5, 0.75, Double.NaN,
                    0, 0, 0, 0, 6, 6, 6, m.pmF1ByIou(), new ErrorBreakdown(2, 1, 1, 2, 4, 2));
            Map<String, EvalMetrics> kinds = new LinkedHashMap<>();
            kinds.put("part", metrics(6, 3, 50, 0.8, 0.625));
            kinds.put("finish+part", metrics(10, 4, -5, 0.5, -0.1));
            return new EvalReport(datasetDir, null, "onnx", options.threshold(), 6, 1.25, all, kinds,
                    Map.of("washer", all), metrics(8, 3, 10, 0.5, 0.2), metrics(2, 1, 0, 0, 0), List.of("copper gear", "blue screw"),
                    new AttributeAccuracy(1.0 / 3, 3, 1), new LanguageAmbiguity(0.8125, 0.9, 10, 8),
                    options.outDir() == null ? List.of() : List.of(options.outDir().resolve("metrics.json")));
        }

        private static EvalMetrics metrics(int pairs, int positive, double cg, double pm, double mcc) {
            return new EvalMetrics(pairs, positive, positive, positive, cg, pm, mcc, 0.5, 0.5, 0.75, Double.NaN,
                    0, 0, 0, 0, 0, 0, 0, Collections.nCopies(10, pm));
        }
    }

    @BeforeEach
    void startGogo() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        threadIO = new ThreadIOImpl();
        threadIO.start();
        processor = new CommandProcessorImpl(threadIO);
        processor.addCommand("cs", commands, "eval");
    }

    @AfterEach
    void stopGogo() {
        threadIO.stop();
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    private int run(String line) {
        return CommandLineRunner.execute(processor, "eval", line, false, () -> false);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void defaultsRunTheModelAtTheProtocolThreshold() {
        assertEquals(CommandLineRunner.OK, run("cs:eval 'data/mini set'"), err());
        assertEquals(Path.of("data/mini set").toAbsolutePath(), tasks.dataset);
        assertEquals(0.5, tasks.options.threshold());
        assertNull(tasks.options.predictions());
        assertNull(tasks.options.outDir());
        assertNull(tasks.options.heldOut());
        assertTrue(tasks.options.paraphrases());
        assertNull(tasks.options.segment().backend());
    }

    @Test
    void optionsMapOntoEvalOptions() {
        int status = run("cs:eval '--out' '/tmp/rep' '--predictions' 'p.json' '--threshold' '0.3' '--held-out' 'copper gear, Blue Bolts,' "
                + "'--no-paraphrases' 'ds'");
        assertEquals(CommandLineRunner.OK, status, err());
        assertEquals(Path.of("/tmp/rep"), tasks.options.outDir());
        assertEquals(Path.of("p.json").toAbsolutePath(), tasks.options.predictions());
        assertEquals(0.3, tasks.options.threshold());
        assertEquals(List.of("copper gear", "Blue Bolts"), tasks.options.heldOut());
        assertEquals(false, tasks.options.paraphrases());
        run("cs:eval '--backend' 'cpu' '--model' 'inspection-tiny' 'ds'");
        assertEquals("cpu", tasks.options.segment().backend());
        assertEquals("inspection-tiny", tasks.options.segment().model());
    }

    @Test
    void summaryTableOnStdoutProgressOnStderr() {
        assertEquals(CommandLineRunner.OK, run("cs:eval '--out' '/tmp/rep' 'ds'"), err());
        List<String> lines = out().lines().toList();
        assertTrue(lines.get(0).contains("6 images, 24 pairs (12 positive), threshold 0.50, backend onnx, 1.3 s"), out());
        assertTrue(lines.get(1).startsWith("SET") && lines.get(1).contains("cgF1") && lines.get(1).contains("IL_MCC"), out());
        assertEquals(List.of("all", "24", "12", "16.88", "0.675", "0.250", "0.500", "0.750", "-"), List.of(lines.get(2).split("\\s{2,}")));
        assertTrue(lines.get(4).startsWith("finish+part") && lines.get(4).contains("-5.00") && lines.get(4).contains("-0.100"), out());
        assertTrue(lines.get(5).startsWith("seen combinations") && lines.get(6).startsWith("held-out combinations"), out());
        assertTrue(out().contains("errors at IoU 0.5: FP 6 = 2 on absent concepts + 1 duplicates + 1 poorly localised"
                + " + 2 on background/other objects; FN 6 = 4 poorly localised + 2 missed\n"), out());
        assertTrue(out().contains("held out: copper gear, blue screw\n"), out());
        assertTrue(out().contains("attribute accuracy 0.333 (1 of 3 predictions"), out());
        assertTrue(out().contains("mask agreement 0.813, presence agreement 0.900 over 10 phrasing pairs (8 probes)"), out());
        assertTrue(out().endsWith("wrote /tmp/rep/metrics.json\n"), out());
        assertTrue(err().startsWith("eval: 1/2 (50%) predict scene_00.png\n"), err());
    }

    @Test
    void badThresholdAndServiceErrorsAreOneLine() {
        assertEquals(CommandLineRunner.FAILED, run("cs:eval '--threshold' 'high' 'ds'"));
        assertEquals("conceptseg: error: --threshold high: not a number; give a score in [0, 1] such as 0.5\n", err());
        err.reset();
        tasks.failure = new InvalidInputException("ds/annotations.json: annotations[3] (id 4)", "malformed RLE counts: bad character ' '");
        assertEquals(CommandLineRunner.FAILED, run("cs:eval 'ds'"));
        assertEquals("conceptseg: error: ds/annotations.json: annotations[3] (id 4): malformed RLE counts: bad character ' '\n", err());
    }

    @Test
    void withoutThePipelineItSaysSo() {
        processor = new CommandProcessorImpl(threadIO);
        processor.addCommand("cs", new EvalCommands(null), "eval");
        assertEquals(CommandLineRunner.FAILED, run("cs:eval 'ds'"));
        assertTrue(err().contains("pipeline not running: no EvaluationTasks service"), err());
    }

    @Test
    void missingDatasetIsAUsageError() {
        assertEquals(CommandLineRunner.USAGE, run("cs:eval '--out' 'x'"));
    }
}

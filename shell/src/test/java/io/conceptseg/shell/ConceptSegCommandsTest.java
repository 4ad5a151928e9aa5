package io.conceptseg.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ModelPackageException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConceptSegCommandsTest {
    private final Fakes.Tasks tasks = new Fakes.Tasks();
    private final Fakes.Selector selector = new Fakes.Selector();
    private final Fakes.Registry registry = new Fakes.Registry();
    private final ConceptSegCommands commands = new ConceptSegCommands(tasks, selector, registry);

    @Test
    void segmentMapsOptionsAndArguments() {
        String out = commands.segment("out", "0.4", "onnx", "", "samples/part.png", "rust spot", "washer");

        assertEquals(Path.of("samples/part.png").toAbsolutePath().normalize(), tasks.image);
        assertEquals(List.of("rust spot", "washer"), tasks.phrases);
        assertEquals(Path.of("out").toAbsolutePath().normalize(), tasks.outDir);
        assertEquals(0.4, tasks.options.scoreThreshold());
        assertEquals("onnx", tasks.options.backend());
        assertNull(tasks.options.model(), "an absent --model means the default model");
        assertTrue(out.startsWith("part.png (640x480): 2 detections, model inspection-tiny, backend onnx, 12.5 ms\n"), out);
    }

    @Test
    void segmentPrintsOneLinePerDetectionThenTheFilesWritten() {
        String out = commands.segment("/tmp/o", "", "", "", "part.png", "washer", "rust spot");
        List<String> lines = out.lines().toList();

        assertEquals("PHRASE     SCORE  BOX [x, y, w, h]          AREA", lines.get(1));
        assertEquals("washer     0.912  [10.0, 20.5, 30.0, 40.0]  1200", lines.get(2));
        assertEquals("washer     0.500  [1.0, 2.0, 3.0, 4.0]      12", lines.get(3));
        assertEquals("rust spot  -      none (presence 0.031)", lines.get(4));
        assertEquals("wrote /tmp/o/part.json", lines.get(5));
        assertEquals("wrote /tmp/o/part.png", lines.get(6));
        assertEquals(7, lines.size());
    }

    @Test
    void segmentWithoutOutDirWritesNothingAndSaysNothingAboutFiles() {
        String out = commands.segment("", "", "", "", "part.png", "washer");
        assertNull(tasks.outDir);
        assertTrue(out.lines().noneMatch(l -> l.startsWith("wrote")), out);
        assertNull(tasks.options.scoreThreshold());
        assertNull(tasks.options.backend());
    }

    @Test
    void badThresholdIsOneClearLineNamingTheOption() {
        CommandFailure e = assertThrows(CommandFailure.class, () -> commands.segment("", "abc", "", "", "a.png", "washer"));
        assertEquals("--threshold abc: not a number; give a score in [0, 1] such as 0.5", e.getMessage());
        assertEquals("error: " + e.getMessage(), e.toString());
        assertNull(tasks.image, "the service must not be called with a bad argument");

        e = assertThrows(CommandFailure.class, () -> commands.segment("", "1.5", "", "", "a.png", "washer"));
        assertTrue(e.getMessage().startsWith("--threshold 1.5: "), e.getMessage());
    }

    @Test
    void segmentWithoutPhraseOrWithBlankPhraseFails() {
        CommandFailure e = assertThrows(CommandFailure.class, () -> commands.segment("", "", "", "", "a.png"));
        assertTrue(e.getMessage().startsWith("phrase: give at least one concept phrase"), e.getMessage());
        e = assertThrows(CommandFailure.class, () -> commands.segment("", "", "", "", "a.png", "washer", "  "));
        assertTrue(e.getMessage().startsWith("phrase \"  \": the phrase is empty"), e.getMessage());
    }

    @Test
    void serviceExceptionsBecomeOneLineWithTheServicesMessage() {
        tasks.failure = new ModelPackageException("/m/model.json", "missing from model package inspection-tiny");
        CommandFailure e = assertThrows(CommandFailure.class, () -> commands.segment("", "", "", "", "a.png", "washer"));
        assertEquals("/m/model.json: missing from model package inspection-tiny", e.getMessage());
        assertTrue(e.getCause() instanceof ModelPackageException);
    }

    @Test
    void everyCommandSaysPipelineNotRunningWhenItsServiceIsMissing() {
        ConceptSegCommands down = new ConceptSegCommands(null, null, null);
        assertNotRunning("BackendSelector", () -> down.backends());
        assertNotRunning("BackendSelector", () -> down.backend("onnx"));
        assertNotRunning("ModelRegistry", () -> down.models());
        assertNotRunning("SegmentationTasks", () -> down.segment("", "", "", "", "a.png", "washer"));
        assertNotRunning("SegmentationTasks", () -> down.predict("r.json", "", "", "", "ds"));
        assertNotRunning("SegmentationTasks", () -> down.bench("", "", "", "", "", "", "a.png", "washer"));
        assertEquals("SegmentationTasks", down.missingService("segment"));
        assertEquals("ModelRegistry", down.missingService("models"));
        assertNull(commands.missingService("segment"));
        assertNull(commands.missingService("backends"));
    }

    private static void assertNotRunning(String service, Runnable command) {
        CommandFailure e = assertThrows(CommandFailure.class, command::run);
        assertTrue(e.getMessage().startsWith("pipeline not running: no " + service + " service is registered"), e.getMessage());
    }

    @Test
    void backendsTableShowsAvailabilityReasonActiveStagesAndLatency() {
        List<String> lines = commands.backends().lines().toList();
        assertEquals("selection: auto (active: onnx)", lines.get(0));
        assertEquals("ID    PRIORITY  AVAILABLE                     DEVICES  ACTIVE  LOADED STAGES                                 LAST LATENCY", lines.get(1));
        assertEquals("onnx  200       yes (CPU execution provider)  cpu      *       inspection-tiny/vision, inspection-tiny/text  12.3 ms", lines.get(2));
        assertEquals("cuda  300       no: no CUDA device            -                -                                             -", lines.get(3));
    }

    @Test
    void backendSelectsAndUnknownBackendIsOneLine() {
        assertEquals("selected backend cuda (now onnx)", commands.backend("cuda"));
        assertEquals("cuda", selector.selection);
        CommandFailure e = assertThrows(CommandFailure.class, () -> commands.backend("tpu"));
        assertEquals("backend tpu: no such backend; the backends are onnx, cuda", e.getMessage());
        assertEquals("selected backend auto (now onnx)", commands.backend("use", "auto"));
        assertEquals("auto", selector.selection);
        e = assertThrows(CommandFailure.class, () -> commands.backend("pick", "cpu"));
        assertEquals("backend pick: unknown sub-command; say: backend use ID|auto", e.getMessage());
    }

    @Test
    void modelsListsDefaultFirst() {
        List<String> lines = commands.models().lines().toList();
        assertEquals(3, lines.size());
        assertTrue(lines.get(1).matches("inspection-tiny +\\* +conceptseg-sam3-mini +128 +32 +16 +vision,text +io.conceptseg.model.inspection"), lines.get(1));
        assertTrue(lines.get(2).matches("other +conceptseg-sam3-mini .* /data/models/other"), lines.get(2));
        registry.models = List::of;
        assertTrue(commands.models().startsWith("no model is installed"));
    }

    @Test
    void predictNeedsOutAndPrintsBoundedProgressAndSummary() {
        CommandFailure e = assertThrows(CommandFailure.class, () -> commands.predict("", "", "", "", "ds"));
        assertEquals("--out: is required", e.getMessage());

        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        commands.progressOut = () -> new PrintStream(progress, true, StandardCharsets.UTF_8);
        String out = commands.predict("r.json", "0.3", "", "tiny", "ds");

        assertEquals(Path.of("ds").toAbsolutePath(), tasks.dataset);
        assertEquals(Path.of("r.json").toAbsolutePath(), tasks.outFile);
        assertEquals("tiny", tasks.options.model());
        List<String> progressLines = progress.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(ProgressPrinter.STEPS + 1, progressLines.size(), "the first item, then one line per 5% of 100 items");
        assertEquals("predict: 100/100 (100%) img100.png washer", progressLines.get(progressLines.size() - 1));
        assertTrue(out.startsWith("wrote 123 detections for 100 (image, phrase) pairs over 40 images to "), out);
        assertTrue(out.endsWith("backend onnx, 2.0 s (20.0 images/s)"), out);
    }

    @Test
    void benchUsesDefaultsAndPrintsTheTable() {
        String out = commands.bench("", "", "", "", "", "", "a.png", "washer", "nut");
        assertEquals(ConceptSegCommands.DEFAULT_RUNS, tasks.runs);
        assertEquals(ConceptSegCommands.DEFAULT_WARMUP, tasks.warmup);
        List<String> lines = out.lines().toList();
        assertEquals("backend onnx, model inspection-tiny, 2 prompts, 20 runs after 3 warm-ups", lines.get(0));
        assertEquals("STAGE     RUNS  P50 MS  P95 MS  MEAN MS", lines.get(1));
        assertEquals("vision    20    4.25    6.50    4.50", lines.get(2));
        assertEquals("decoder   20    12.0    15.3    12.5", lines.get(3));
        assertEquals("pipeline  20    20.0    25.0    21.0", lines.get(4));
        assertEquals("direct    20    16.0    20.0    17.0", lines.get(5));
        assertEquals("overhead ratio (pipeline p50 / direct p50): 1.25", lines.get(6));
    }

    @Test
    void benchRejectsBadCounts() {
        CommandFailure e = assertThrows(CommandFailure.class, () -> commands.bench("0", "", "", "", "", "", "a.png", "washer"));
        assertEquals("--runs 0: must be at least 1", e.getMessage());
        e = assertThrows(CommandFailure.class, () -> commands.bench("5", "x", "", "", "", "", "a.png", "washer"));
        assertEquals("--warmup x: not a whole number", e.getMessage());
        commands.bench("7", "0", "", "", "", "", "a.png", "washer");
        assertEquals(7, tasks.runs);
        assertEquals(0, tasks.warmup);
    }

    @Test
    void benchBackendsComparesAgainstTheBaseline() {
        String out = commands.bench("10", "2", "", "onnx,cpu", "cpu", "", "a.png", "washer");
        assertEquals(List.of("onnx", "cpu"), tasks.backends);
        List<String> lines = out.lines().toList();
        assertEquals("model inspection-tiny, 10 runs after 2 warm-ups, baseline cpu", lines.get(0));
        assertEquals("BACKEND  PROMPTS  P50 MS  P95 MS  IMAGES/S  OVERHEAD  P50 VS CPU", lines.get(1));
        assertEquals("onnx     1        2.00    3.00    400.0     1.25      0.25x", lines.get(2));
        assertEquals("onnx     10       20.0    30.0    40.0      1.25      0.25x", lines.get(3));
        assertEquals("cpu      1        8.00    12.0    100.0     1.25      1.00x", lines.get(4));
        assertEquals("cpu      10       80.0    120.0   10.0      1.25      1.00x", lines.get(5));
    }

    @Test
    void benchBackendsAllMeansEveryAvailableAndOptionsThatDoNotApplyAreRejected() {
        commands.bench("", "", "", "all", "", "", "a.png", "washer");
        assertEquals(List.of(), tasks.backends, "all is passed on as the empty list");
        assertEquals("--backend onnx: give either --backend or --backends, not both",
                assertThrows(CommandFailure.class, () -> commands.bench("", "", "onnx", "cpu", "", "", "a.png", "washer")).getMessage());
        assertEquals("--baseline cpu: only applies with --backends",
                assertThrows(CommandFailure.class, () -> commands.bench("", "", "", "", "cpu", "", "a.png", "washer")).getMessage());
        assertEquals("--backends all,cpu: all stands alone; or name the backends, e.g. onnx,cpu",
                assertThrows(CommandFailure.class, () -> commands.bench("", "", "", "all,cpu", "", "", "a.png", "washer")).getMessage());
    }
}

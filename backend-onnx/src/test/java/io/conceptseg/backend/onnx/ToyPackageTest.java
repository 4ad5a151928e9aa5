package io.conceptseg.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.Availability;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.commons.model.ModelPackages;
import io.conceptseg.commons.testing.ConcurrentRuns;
import io.conceptseg.commons.testing.FixtureCheck;
import io.conceptseg.commons.testing.TestPackages;
import io.conceptseg.commons.testing.ToyInputs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The backend on the synthetic toy package: a float and an int64 input and output, fixed and symbolic axes. */
class ToyPackageTest {
    /** src/test/resources/toy-package (made by src/test/python/make_toy_package.py). */
    private static final String TOY = "/toy-package";

    private OnnxBackend backend;
    private ModelPackage toy;

    @BeforeEach
    void setUp() {
        backend = new OnnxBackend();
        backend.configure(null, 1);
        toy = TestPackages.resourcePackage(ToyPackageTest.class, TOY);
    }

    @AfterEach
    void tearDown() {
        backend.deactivate();
    }

    private static Map<String, Tensor> inputs(int batch, int length) {
        return ToyInputs.of(batch, length, 0);
    }

    @Test
    void isAvailableOnCpuWithPriority200() {
        Availability a = backend.availability();
        assertTrue(a.available(), a.reason());
        assertTrue(a.reason().contains("ONNX Runtime 1.23"), a.reason());
        assertEquals("onnx", backend.id());
        assertEquals(200, backend.priority());
        assertEquals(List.of("cpu"), backend.devices());
    }

    @Test
    void reproducesTheFixture() {
        try (StageRunner r = backend.load(toy, "toy")) {
            assertEquals("toy", r.stage());
            assertEquals("onnx", r.backendId());
            double err = FixtureCheck.assertReproduces(toy, r, toy.descriptor().tolerance().get("onnx"));
            assertEquals(0.0, err, "x * 2 + 0.5 and an integer sum are exact in float32");
        }
    }

    @Test
    void computesEachBatchAndLengthItIsGiven() {
        try (StageRunner r = backend.load(toy, "toy")) {
            Map<String, Tensor> out = r.run(inputs(3, 7));
            Tensor scaled = out.get("scaled");
            assertArrayEquals(new long[] {3, 3, 4}, scaled.shape());
            for (int i = 0; i < scaled.size(); i++) {
                assertEquals((i * 0.25f - 3f) * 2f + 0.5f, scaled.floats()[i]);
            }
            Tensor sum = out.get("id_sum");
            assertArrayEquals(new long[] {3, 1}, sum.shape());
            for (int b = 0; b < 3; b++) {
                long expected = 0;
                for (int l = 0; l < 7; l++) {
                    expected += (b * 7L + l) * 7L;
                }
                assertEquals(expected, sum.longs()[b]);
            }
            assertEquals(List.of("scaled", "id_sum"), List.copyOf(out.keySet()), "outputs in signature order");
        }
    }

    @Test
    void runsAnEmptySymbolicAxis() {
        // e.g. a request without geometry prompts: N = 0
        try (StageRunner r = backend.load(toy, "toy")) {
            Map<String, Tensor> out = r.run(inputs(2, 0));
            assertArrayEquals(new long[] {0, 0}, out.get("id_sum").longs());
            Map<String, Tensor> none = r.run(inputs(0, 3));
            assertArrayEquals(new long[] {0, 3, 4}, none.get("scaled").shape());
        }
    }

    @Test
    void ignoresTensorsTheStageDoesNotDeclare() {
        try (StageRunner r = backend.load(toy, "toy")) {
            Map<String, Tensor> in = inputs(1, 2);
            in.put("unrelated", Tensor.ofFloats(new float[1], 1));
            assertEquals(2, r.run(in).size());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "missing input      | stage 'toy' input 'ids': missing",
        "wrong dtype        | stage 'toy' input 'features': expected float32 [B, 3, 4], got int64 [2, 3, 4]",
        "wrong rank         | stage 'toy' input 'features': expected float32 [B, 3, 4], got float32 [2, 12]",
        "wrong fixed axis   | stage 'toy' input 'features': axis 2 must be 4: expected float32 [B, 3, 4], got float32 [2, 3, 5]",
        "batch disagrees    | stage 'toy' input 'ids': axis 0 is B = 3, but input 'features' has B = 2",
    })
    void rejectsABadInputNamingStageAndTensor(String kase, String message) {
        try (StageRunner r = backend.load(toy, "toy")) {
            Map<String, Tensor> in = inputs(2, 5);
            switch (kase) {
                case "missing input" -> in.remove("ids");
                case "wrong dtype" -> in.put("features", Tensor.ofLongs(new long[24], 2, 3, 4));
                case "wrong rank" -> in.put("features", Tensor.ofFloats(new float[24], 2, 12));
                case "wrong fixed axis" -> in.put("features", Tensor.ofFloats(new float[30], 2, 3, 5));
                case "batch disagrees" -> in.put("ids", Tensor.ofLongs(new long[15], 3, 5));
                default -> throw new IllegalArgumentException(kase);
            }
            ConceptSegException e = assertThrows(ConceptSegException.class, () -> r.run(in));
            assertTrue(e.getMessage().startsWith(message), e.getMessage());
            // the runner is still usable after a rejected request
            assertEquals(2, r.run(inputs(2, 5)).size());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "renamed_input   | stage 'renamed_input': input 'token_ids' of model.json is not an input of the graph",
        "wrong_dtype     | stage 'wrong_dtype': input 'ids' is float32 in model.json but INT64 in the graph",
        "wrong_fixed_dim | stage 'wrong_fixed_dim': input 'features' axis 2 is 5 in model.json but 4 in the graph",
        "unknown_output  | stage 'unknown_output': output 'logits' of model.json is not an output of the graph",
    })
    void rejectsAGraphThatDisagreesWithModelJson(String stage, String problem) {
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> backend.load(toy, stage));
        assertEquals(toy.root().resolve("onnx/toy.onnx").toString(), e.input(), "names the onnx file");
        assertTrue(e.problem().startsWith(problem), e.getMessage());
        assertTrue(backend.openRunners().isEmpty(), "the rejected session is not kept");
    }

    @Test
    void rejectsAMissingStageFileNamingIt() {
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> backend.load(toy, "missing_file"));
        assertTrue(e.input().endsWith("onnx/absent.onnx"), e.getMessage());
        assertTrue(e.problem().contains("missing"), e.getMessage());
    }

    @Test
    void rejectsAStageWithoutOnnxFileAndAnUnknownStage() {
        ModelPackageException none = assertThrows(ModelPackageException.class, () -> backend.load(toy, "no_onnx"));
        assertEquals("stage 'no_onnx' names no onnx file", none.problem());
        assertTrue(none.input().endsWith("model.json"), none.getMessage());
        ModelPackageException unknown = assertThrows(ModelPackageException.class, () -> backend.load(toy, "vision"));
        assertTrue(unknown.problem().startsWith("declares no stage 'vision'"), unknown.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"garbage", "truncated", "empty"})
    void rejectsACorruptStageFileNamingIt(String damage, @TempDir Path tmp) throws IOException {
        Path root = TestPackages.copy(TestPackages.resourcePackageRoot(ToyPackageTest.class, TOY), tmp.resolve("toy"));
        Path onnx = root.resolve("onnx/toy.onnx");
        byte[] good = Files.readAllBytes(onnx);
        switch (damage) {
            case "garbage" -> Files.writeString(onnx, "this is not a protobuf, just text that pretends to be a model\n");
            case "truncated" -> Files.write(onnx, java.util.Arrays.copyOf(good, good.length / 2));
            default -> Files.write(onnx, new byte[0]);
        }
        ModelPackage damaged = ModelPackages.open(root, "damaged copy");
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> backend.load(damaged, "toy"));
        assertEquals(onnx.toString(), e.input());
        assertTrue(e.problem().contains("not a valid ONNX model"), e.getMessage());
        System.out.println("[onnx] " + damage + " model: " + e.getMessage());
    }

    @Test
    void aClosedRunnerRefusesToRun() {
        StageRunner r = backend.load(toy, "toy");
        r.run(inputs(1, 1));
        r.close();
        r.close(); // idempotent
        ConceptSegException e = assertThrows(ConceptSegException.class, () -> r.run(inputs(1, 1)));
        assertTrue(e.getMessage().contains("stage 'toy'") && e.getMessage().contains("closed"), e.getMessage());
        assertTrue(backend.openRunners().isEmpty(), "a closed runner is forgotten");
    }

    @Test
    void stoppingTheBackendClosesEveryRunnerAndRefusesNewLoads() {
        StageRunner a = backend.load(toy, "toy");
        StageRunner b = backend.load(toy, "toy");
        assertEquals(2, backend.openRunners().size());
        backend.deactivate();
        assertTrue(backend.openRunners().isEmpty());
        assertTrue(((OnnxStageRunner) a).isClosed() && ((OnnxStageRunner) b).isClosed());
        assertThrows(ConceptSegException.class, () -> a.run(inputs(1, 1)));
        ConceptSegException e = assertThrows(ConceptSegException.class, () -> backend.load(toy, "toy"));
        assertTrue(e.getMessage().contains("stopped"), e.getMessage());
    }

    @Test
    void aRestartedBackendRunsAgainInTheSameJvm() {
        backend.load(toy, "toy");
        backend.deactivate();
        // a new component instance, as DS makes on bundle restart: the ORT environment is reused
        OnnxBackend again = new OnnxBackend();
        again.configure(null, 2);
        try (StageRunner r = again.load(toy, "toy")) {
            FixtureCheck.assertReproduces(toy, r, 1e-6);
        } finally {
            again.deactivate();
        }
    }

    @Test
    void fourThreadsGetIdenticalResults() throws Exception {
        backend.configure(null, 2);
        try (StageRunner r = backend.load(toy, "toy")) {
            ConcurrentRuns.assertIdenticalResults(r, inputs(4, 9), 4, 200);
        }
    }

    @Test
    void reportsWhyWhenTheNativeLibraryCannotLoad() {
        OnnxBackend broken = new OnnxBackend(new OrtRuntime(() -> {
            throw new UnsatisfiedLinkError("no onnxruntime4j_jni in java.library.path: /nowhere");
        }));
        broken.configure(null, 1);
        Availability a = broken.availability();
        assertFalse(a.available());
        assertTrue(a.reason().contains("UnsatisfiedLinkError: no onnxruntime4j_jni"), a.reason());
        assertEquals(a, broken.availability(), "the first failure is kept, not retried");
        ConceptSegException e = assertThrows(ConceptSegException.class, () -> broken.load(toy, "toy"));
        assertTrue(e.getMessage().contains("ONNX Runtime cannot start here"), e.getMessage());
    }

    @Test
    void aBadThreadSettingMakesTheBackendUnavailableWithTheReason() {
        OnnxBackend b = new OnnxBackend();
        b.configure("many", 0);
        Availability a = b.availability();
        assertFalse(a.available());
        assertTrue(a.reason().contains("conceptseg.onnx.threads: 'many' is not a positive integer"), a.reason());
        ConceptSegException e = assertThrows(ConceptSegException.class, () -> b.load(toy, "toy"));
        assertSame(ConceptSegException.class, e.getClass());
        b.configure(null, 3); // fixed by a configuration update
        assertTrue(b.availability().available());
        assertEquals(3, b.threads());
    }
}

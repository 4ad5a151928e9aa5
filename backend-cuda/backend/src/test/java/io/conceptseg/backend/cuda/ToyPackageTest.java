package io.conceptseg.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.commons.model.ModelPackages;
import io.conceptseg.commons.testing.FixtureCheck;
import io.conceptseg.commons.testing.TestPackages;
import io.conceptseg.commons.testing.ToyInputs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The backend on DJL's CPU device with the synthetic toy package: a float and an int64 input and
 * output, fixed and symbolic axes, a module returning a tuple and one returning a single tensor.
 */
class ToyPackageTest {
    /** src/test/resources/toy-package (made by src/test/python/make_toy_package.py). */
    private static final String TOY = "/toy-package";

    private CudaBackend backend;
    private ModelPackage toy;

    @BeforeEach
    void setUp() {
        backend = CpuDevice.backend();
        toy = TestPackages.resourcePackage(ToyPackageTest.class, TOY);
    }

    @AfterEach
    void tearDown() {
        backend.deactivate();
    }

    private static Map<String, Tensor> inputs(int batch, int length) {
        return ToyInputs.of(batch, length, 5_000_000_000L); // ids beyond int range: int64 all the way
    }

    @Test
    void reproducesTheFixtureExactly() {
        try (StageRunner r = backend.load(toy, "toy")) {
            assertEquals(0.0, FixtureCheck.assertReproduces(toy, r, 0.0));
            assertEquals("cuda", r.backendId());
            assertEquals("toy", r.stage());
            assertEquals("cpu", ((TorchScriptStageRunner) r).device());
        }
    }

    @Test
    void aModuleReturningOneTensorGivesOneOutput() {
        try (StageRunner r = backend.load(toy, "single")) {
            assertEquals(0.0, FixtureCheck.assertReproduces(toy, r, 0.0));
        }
    }

    @ParameterizedTest(name = "batch {0}, length {1}")
    @CsvSource({"1, 1", "1, 9", "3, 2", "8, 16"})
    void symbolicAxesTakeAnySize(int batch, int length) {
        Map<String, Tensor> in = inputs(batch, length);
        try (StageRunner r = backend.load(toy, "toy")) {
            Map<String, Tensor> out = r.run(in);
            assertEquals(List.of("scaled", "id_sum"), List.copyOf(out.keySet()));
            assertArrayEquals(new long[] {batch, 3, 4}, out.get("scaled").shape());
            assertArrayEquals(new long[] {batch, 1}, out.get("id_sum").shape());
            float[] f = in.get("features").floats();
            float[] scaled = out.get("scaled").floats();
            for (int i = 0; i < f.length; i++) {
                assertEquals(f[i] * 2f + 0.5f, scaled[i], 0f);
            }
            long[] ids = in.get("ids").longs();
            for (int b = 0; b < batch; b++) {
                long sum = 0;
                for (int l = 0; l < length; l++) {
                    sum += ids[b * length + l];
                }
                assertEquals(sum, out.get("id_sum").longs()[b]);
            }
        }
    }

    @Test
    void inputsTheStageDoesNotDeclareAreIgnored() {
        Map<String, Tensor> in = inputs(2, 5);
        in.put("something_else", Tensor.ofFloats(new float[1], 1));
        try (StageRunner r = backend.load(toy, "toy")) {
            assertEquals(2, r.run(in).size());
        }
    }

    @Test
    void badInputsFailNamingStageAndTensor() {
        try (StageRunner r = backend.load(toy, "toy")) {
            Map<String, Tensor> missing = inputs(2, 5);
            missing.remove("ids");
            assertEquals("stage 'toy' input 'ids': missing (stage 'toy' needs [features, ids], got [features])",
                    assertThrows(ConceptSegException.class, () -> r.run(missing)).getMessage());

            Map<String, Tensor> dtype = inputs(2, 5);
            dtype.put("ids", Tensor.ofFloats(new float[10], 2, 5));
            assertEquals("stage 'toy' input 'ids': expected int64 [B, L], got float32 [2, 5]",
                    assertThrows(ConceptSegException.class, () -> r.run(dtype)).getMessage());

            Map<String, Tensor> rank = inputs(2, 5);
            rank.put("features", Tensor.ofFloats(new float[12], 12));
            assertEquals("stage 'toy' input 'features': expected float32 [B, 3, 4], got float32 [12]",
                    assertThrows(ConceptSegException.class, () -> r.run(rank)).getMessage());

            Map<String, Tensor> fixed = inputs(2, 5);
            fixed.put("features", Tensor.ofFloats(new float[30], 2, 3, 5));
            assertEquals("stage 'toy' input 'features': axis 2 must be 4: expected float32 [B, 3, 4], got float32 [2, 3, 5]",
                    assertThrows(ConceptSegException.class, () -> r.run(fixed)).getMessage());

            Map<String, Tensor> batch = inputs(2, 5);
            batch.put("ids", Tensor.ofLongs(new long[15], 3, 5));
            assertEquals("stage 'toy' input 'ids': axis 0 is B = 3, but input 'features' has B = 2",
                    assertThrows(ConceptSegException.class, () -> r.run(batch)).getMessage());

            assertEquals("stage 'toy': inputs are null", assertThrows(ConceptSegException.class, () -> r.run(null)).getMessage());
            // and the runner still works afterwards
            assertEquals(2, r.run(inputs(2, 5)).size());
        }
    }

    @Test
    void outputsThatDisagreeWithModelJsonFailNamingStageAndTensor() {
        Map<String, Tensor> in = inputs(2, 5);
        try (StageRunner extra = backend.load(toy, "extra_output");
                StageRunner dim = backend.load(toy, "wrong_output_dim");
                StageRunner dtype = backend.load(toy, "wrong_output_dtype")) {
            assertEquals("stage 'extra_output' of model toy: the TorchScript module returned 2 tensor(s), model.json declares "
                    + "3 outputs [scaled, id_sum, logits]", assertThrows(ConceptSegException.class, () -> extra.run(in)).getMessage());
            assertEquals("stage 'wrong_output_dim' output 'scaled': the TorchScript module produced float32 [2, 3, 4], "
                    + "model.json declares float32 [B, 3, 5]", assertThrows(ConceptSegException.class, () -> dim.run(in)).getMessage());
            assertEquals("stage 'wrong_output_dtype' output 'id_sum': the TorchScript module produced int64 [2, 1], "
                    + "model.json declares float32 [B, 1]", assertThrows(ConceptSegException.class, () -> dtype.run(in)).getMessage());
        }
    }

    @Test
    void aMissingTorchScriptFileIsNamed() {
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> backend.load(toy, "missing_file"));
        assertEquals(TestPackages.resourcePackageRoot(ToyPackageTest.class, TOY).resolve("torchscript/absent.pt").toAbsolutePath().normalize().toString(), e.input());
        assertEquals("missing from model package toy", e.problem());
    }

    @Test
    void aStageWithoutTorchScriptOrAnUnknownStageIsNamed() {
        String modelJson = toy.root().resolve("model.json").toString();
        ModelPackageException none = assertThrows(ModelPackageException.class, () -> backend.load(toy, "no_torchscript"));
        assertEquals(modelJson + ": stage 'no_torchscript' names no torchscript file", none.getMessage());
        ModelPackageException unknown = assertThrows(ModelPackageException.class, () -> backend.load(toy, "vision"));
        assertTrue(unknown.getMessage().startsWith(modelJson + ": declares no stage 'vision' (stages: ["), unknown.getMessage());
    }

    @Test
    void aTruncatedModuleIsNamed(@TempDir Path tmp) throws IOException {
        Path root = TestPackages.copy(TestPackages.resourcePackageRoot(ToyPackageTest.class, TOY), tmp.resolve("toy"));
        Path pt = root.resolve("torchscript/toy.pt");
        byte[] bytes = Files.readAllBytes(pt);
        Files.write(pt, Arrays.copyOf(bytes, bytes.length / 2));
        ModelPackage damaged = ModelPackages.open(root, "damaged copy");
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> backend.load(damaged, "toy"));
        assertEquals(pt.toString(), e.input());
        assertTrue(e.problem().startsWith("libtorch cannot load it as the TorchScript module of stage 'toy' on cpu "
                + "(corrupt, truncated, or not TorchScript?): "), e.problem());
        assertFalse(e.problem().contains("\n"), "one line, without libtorch's backtrace: " + e.problem());
        System.out.println("[cuda device=cpu] truncated toy.pt: " + e.problem());
        // the package's other module still loads and runs
        try (StageRunner single = backend.load(damaged, "single")) {
            assertEquals(0.0, FixtureCheck.assertReproduces(damaged, single, 0.0));
        }
        assertTrue(backend.openRunners().isEmpty(), "a failed load leaves no runner behind");
    }

    @Test
    void aFileThatIsNotTorchScriptIsNamed(@TempDir Path tmp) throws IOException {
        Path root = TestPackages.copy(TestPackages.resourcePackageRoot(ToyPackageTest.class, TOY), tmp.resolve("toy"));
        Path pt = root.resolve("torchscript/toy.pt");
        Files.writeString(pt, "version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 1566\n", StandardCharsets.US_ASCII);
        ModelPackage damaged = ModelPackages.open(root, "damaged copy");
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> backend.load(damaged, "toy"));
        assertEquals(pt.toString(), e.input());
        assertTrue(e.problem().contains("stage 'toy'"), e.problem());
        System.out.println("[cuda device=cpu] LFS pointer as toy.pt: " + e.problem());
    }

    @Test
    void aClosedRunnerFailsClearlyAndCloseIsIdempotent() {
        StageRunner r = backend.load(toy, "toy");
        r.run(inputs(1, 2));
        r.close();
        r.close();
        ConceptSegException e = assertThrows(ConceptSegException.class, () -> r.run(inputs(1, 2)));
        assertEquals("stage 'toy' of model toy: the TorchScript runner is closed (its model was unloaded or the cuda backend "
                + "stopped); load the stage again", e.getMessage());
        assertTrue(backend.openRunners().isEmpty());
    }

    @Test
    void deactivateClosesEveryRunnerAndRefusesNewLoads() {
        TorchScriptStageRunner a = (TorchScriptStageRunner) backend.load(toy, "toy");
        TorchScriptStageRunner b = (TorchScriptStageRunner) backend.load(toy, "single");
        assertEquals(2, backend.openRunners().size());
        backend.deactivate();
        assertTrue(a.isClosed());
        assertTrue(b.isClosed());
        assertTrue(backend.openRunners().isEmpty());
        ConceptSegException e = assertThrows(ConceptSegException.class, () -> backend.load(toy, "toy"));
        assertEquals("cuda backend: is stopped; cannot load stage 'toy' of model toy", e.getMessage());
    }

    @Test
    void eightThreadsShareOneRunner() throws Exception {
        try (StageRunner r = backend.load(toy, "toy")) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Boolean>> futures = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    int batch = 1 + i % 4;
                    int length = 1 + i % 7;
                    futures.add(pool.submit(() -> {
                        Map<String, Tensor> in = inputs(batch, length);
                        Map<String, Tensor> out = r.run(in);
                        return out.get("scaled").floats()[0] == in.get("features").floats()[0] * 2f + 0.5f
                                && out.get("id_sum").shape()[0] == batch;
                    }));
                }
                for (Future<Boolean> f : futures) {
                    assertTrue(f.get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}

package io.conceptseg.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.commons.model.ModelPackages;
import io.conceptseg.commons.testing.ConcurrentRuns;
import io.conceptseg.commons.testing.FixtureCheck;
import io.conceptseg.commons.testing.InspectionTinyContract;
import io.conceptseg.commons.testing.TestPackages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The backend on DJL's CPU device with the repository's inspection-tiny package: every stage's
 * TorchScript module against its exporter fixture, within model.json's tolerance.torchscript.
 */
class InspectionTinyTest extends InspectionTinyContract {
    private static CudaBackend backend;
    private static ModelPackage tiny;
    private static double tolerance;

    InspectionTinyTest() {
        super("torchscript", 1e-4);
    }

    @BeforeAll
    static void setUp() {
        long t0 = System.nanoTime();
        backend = CpuDevice.backend();
        // the first start in a JVM extracts libtorch (when not cached) and loads it
        assertTrue(backend.availability().available());
        System.out.printf("[cuda device=cpu] engine start %.2f s%n", (System.nanoTime() - t0) / 1e9);
        tiny = TestPackages.inspectionTiny();
        tolerance = tiny.descriptor().tolerance().get("torchscript");
    }

    @AfterAll
    static void tearDown() {
        backend.deactivate();
    }

    @Override
    protected StageRunner load(ModelPackage model, String stage) {
        return backend.load(model, stage);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stages")
    void everyStageReproducesItsFixtureAtBatchOne(String stage) {
        try (StageRunner r = backend.load(tiny, stage)) {
            double err = FixtureCheck.assertReproducesFirst(tiny, r, tolerance);
            assertTrue(err <= tolerance);
        }
    }

    @Test
    void aMissingModuleIsNamedAndTheOtherStagesStillLoad(@TempDir Path tmp) throws IOException {
        Path root = TestPackages.copy(TestPackages.inspectionTinyRoot(), tmp.resolve("tiny"));
        Path decoder = root.resolve("torchscript/decoder.pt");
        Files.delete(decoder);
        ModelPackage damaged = ModelPackages.open(root, "damaged copy");
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> backend.load(damaged, "decoder"));
        assertEquals(decoder.toString(), e.input());
        assertEquals("missing from model package inspection-tiny", e.problem());
        try (StageRunner text = backend.load(damaged, "text")) {
            FixtureCheck.assertReproduces(damaged, text, tolerance);
        }
    }

    @Test
    void aCorruptModuleIsNamed(@TempDir Path tmp) throws IOException {
        Path root = TestPackages.copy(TestPackages.inspectionTinyRoot(), tmp.resolve("tiny"));
        Path vision = root.resolve("torchscript/vision.pt");
        byte[] bytes = Files.readAllBytes(vision);
        // a broken download or copy: the archive ends mid-way
        Files.write(vision, Arrays.copyOf(bytes, bytes.length * 2 / 3));
        ModelPackage damaged = ModelPackages.open(root, "damaged copy");
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> backend.load(damaged, "vision"));
        assertEquals(vision.toString(), e.input());
        assertTrue(e.problem().startsWith("libtorch cannot load it as the TorchScript module of stage 'vision' on cpu"), e.problem());
        assertFalse(e.problem().contains("\n"), e.problem());
        System.out.println("[cuda device=cpu] corrupt vision.pt: " + e.problem());
    }

    @Test
    void fourThreadsGetIdenticalResults() throws Exception {
        try (StageRunner r = backend.load(tiny, "decoder")) {
            ConcurrentRuns.assertIdenticalResults(r, FixtureCheck.inputs(tiny, "decoder"), 4, 20);
        }
    }
}

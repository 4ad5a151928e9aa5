package io.conceptseg.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.commons.model.ModelPackages;
import io.conceptseg.commons.testing.ConcurrentRuns;
import io.conceptseg.commons.testing.FixtureCheck;
import io.conceptseg.commons.testing.InspectionTinyContract;
import io.conceptseg.commons.testing.TestPackages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backend on the repository's inspection-tiny package: every stage against its exporter fixture. */
class InspectionTinyTest extends InspectionTinyContract {
    private static OnnxBackend backend;
    private static ModelPackage tiny;

    InspectionTinyTest() {
        super("onnx", 1e-4);
    }

    @BeforeAll
    static void setUp() {
        backend = new OnnxBackend();
        backend.configure(null, 2);
        tiny = TestPackages.inspectionTiny();
    }

    @AfterAll
    static void tearDown() {
        backend.deactivate();
    }

    @Override
    protected StageRunner load(ModelPackage model, String stage) {
        return backend.load(model, stage);
    }

    @Test
    void aMissingStageFileIsNamed(@TempDir Path tmp) throws IOException {
        Path root = TestPackages.copy(TestPackages.inspectionTinyRoot(), tmp.resolve("tiny"));
        Path decoder = root.resolve("onnx/decoder.onnx");
        Files.delete(decoder);
        ModelPackage damaged = ModelPackages.open(root, "damaged copy");
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> backend.load(damaged, "decoder"));
        assertEquals(decoder.toString(), e.input());
        assertTrue(e.problem().startsWith("missing from model package inspection-tiny"), e.getMessage());
        // the other stages still load from the same package
        try (StageRunner text = backend.load(damaged, "text")) {
            FixtureCheck.assertReproduces(damaged, text, 1e-4);
        }
    }

    @Test
    void aCorruptStageFileIsNamed(@TempDir Path tmp) throws IOException {
        Path root = TestPackages.copy(TestPackages.inspectionTinyRoot(), tmp.resolve("tiny"));
        Path vision = root.resolve("onnx/vision.onnx");
        byte[] bytes = Files.readAllBytes(vision);
        // a broken download or copy: the file ends mid-way. (Bytes flipped inside a weight
        // initialiser still parse; only a checksum could catch that.)
        Files.write(vision, java.util.Arrays.copyOf(bytes, bytes.length * 2 / 3));
        ModelPackage damaged = ModelPackages.open(root, "damaged copy");
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> backend.load(damaged, "vision"));
        assertEquals(vision.toString(), e.input());
        assertTrue(e.problem().contains("not a valid ONNX model for stage 'vision'"), e.getMessage());
        System.out.println("[onnx] corrupt vision.onnx: " + e.problem());
    }

    @Test
    void aClosedRunnerFailsClearly() {
        StageRunner r = backend.load(tiny, "text");
        Map<String, Tensor> in = FixtureCheck.inputs(tiny, "text");
        r.run(in);
        r.close();
        ConceptSegException e = assertThrows(ConceptSegException.class, () -> r.run(in));
        assertEquals("stage 'text' of model inspection-tiny: the ONNX runner is closed (its model was unloaded or the onnx "
                + "backend stopped); load the stage again", e.getMessage());
    }

    @Test
    void fourThreadsGetIdenticalResults() throws Exception {
        try (StageRunner r = backend.load(tiny, "decoder")) {
            ConcurrentRuns.assertIdenticalResults(r, FixtureCheck.inputs(tiny, "decoder"), 4, 40);
        }
    }
}

package io.conceptseg.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.commons.model.ModelPackages;
import io.conceptseg.commons.testing.FixtureCheck;
import io.conceptseg.commons.testing.TestPackages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged copies of inspection-tiny: every defect is one ModelPackageException naming the file and the tensor or field. */
class PackageErrorsTest {
    private static CpuBackend backend;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        backend = new CpuBackend();
        backend.configure(null, 2);
    }

    @AfterAll
    static void stop() {
        backend.deactivate();
    }

    private ModelPackage damagedCopy(java.util.function.Consumer<Path> damage) {
        Path root = TestPackages.copy(TestPackages.inspectionTinyRoot(), tmp.resolve("pkg"));
        damage.accept(root);
        return ModelPackages.open(root, "damaged copy");
    }

    @Test
    void aMissingWeightIsNamed() {
        ModelPackage p = damagedCopy(root -> SafeTensorsWriter.edit(root.resolve("weights.safetensors"), m -> {
            m.remove("fusion.layers.0.cross_attn.v_proj.weight");
            return m;
        }));
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> backend.load(p, "fusion"));
        assertEquals(p.root().resolve("weights.safetensors").toString(), e.input());
        assertEquals("has no tensor 'fusion.layers.0.cross_attn.v_proj.weight' (the conceptseg-sam3-mini architecture needs it"
                + " with shape [32, 32] for the dims of model.json)", e.problem());
        // the other stages do not need it
        try (StageRunner text = backend.load(p, "text")) {
            assertEquals("text", text.stage());
        }
    }

    @Test
    void aWeightOfTheWrongShapeIsNamed() {
        ModelPackage p = damagedCopy(root -> SafeTensorsWriter.edit(root.resolve("weights.safetensors"), m -> {
            SafeTensorsWriter.Entry e = m.get("vision.stages.1.conv2.weight"); // [48, 48, 3, 3]
            m.put("vision.stages.1.conv2.weight", new SafeTensorsWriter.Entry("F32", new long[] {48, 48, 9}, e.data()));
            return m;
        }));
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> backend.load(p, "vision"));
        assertEquals(p.root().resolve("weights.safetensors").toString(), e.input());
        assertEquals("tensor 'vision.stages.1.conv2.weight' has shape [48, 48, 9], but the dims of model.json make the"
                + " architecture need [48, 48, 3, 3]", e.problem());
    }

    @Test
    void dimsThatDisagreeWithTheWeightsAreCaughtAtLoad() {
        ModelPackage p = damagedCopy(root -> replaceInModelJson(root, "\"ffn_dim\": 128", "\"ffn_dim\": 96"));
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> backend.load(p, "decoder"));
        assertTrue(e.getMessage().contains("tensor 'decoder.layers.0.ffn.fc1.weight' has shape [128, 32], but the dims of"
                + " model.json make the architecture need [96, 32]"), e.getMessage());
    }

    @Test
    void aSwitchThatIsNeitherZeroNorOneIsNamed() {
        ModelPackage p = damagedCopy(root -> replaceInModelJson(root, "\"ffn_dim\": 128", "\"ffn_dim\": 128, \"fusion_pos_input\": 2"));
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> backend.load(p, "fusion"));
        assertEquals("dims.fusion_pos_input = 2.0 must be 0 or 1", e.problem());
    }

    @Test
    void aSignatureThatDisagreesWithTheArchitectureIsNamed() {
        ModelPackage renamed = damagedCopy(root -> replaceInModelJson(root, "\"name\": \"images\"", "\"name\": \"pixels\""));
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> backend.load(renamed, "vision"));
        assertEquals(renamed.root().resolve("model.json").toString(), e.input());
        assertEquals("stage 'vision': input 'pixels' is not an input of the conceptseg-sam3-mini vision stage (its inputs: [images])",
                e.problem());
    }

    @Test
    void aFixedSizeThatDisagreesWithTheDimsIsNamed() {
        ModelPackage p = damagedCopy(root -> replaceInModelJson(root,
                "{\"name\": \"pred_boxes\", \"dtype\": \"float32\", \"shape\": [\"B\", 16, 4]}",
                "{\"name\": \"pred_boxes\", \"dtype\": \"float32\", \"shape\": [\"B\", 20, 4]}"));
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> backend.load(p, "decoder"));
        assertEquals("stage 'decoder': output 'pred_boxes' axis 1 is 20, the architecture's is 16 for these dims"
                + " (float32 [B, 16, 4])", e.problem());
    }

    @Test
    void anotherArchitectureIsRefused() {
        ModelPackage p = damagedCopy(root -> replaceInModelJson(root, "\"architecture\": \"conceptseg-sam3-mini\"",
                "\"architecture\": \"sam3\""));
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> backend.load(p, "text"));
        assertEquals("architecture 'sam3' is not one the cpu backend implements (it runs conceptseg-sam3-mini)", e.problem());
    }

    @Test
    void anUnknownStageIsRefused() {
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> backend.load(TestPackages.inspectionTiny(), "tracker"));
        assertTrue(e.problem().startsWith("declares no stage 'tracker'"), e.problem());
    }

    @Test
    void halfPrecisionWeightsAreWidenedOnLoad() {
        ModelPackage p = damagedCopy(root -> SafeTensorsWriter.edit(root.resolve("weights.safetensors"), m -> {
            m.replaceAll((k, v) -> SafeTensorsWriter.toHalf(v));
            return m;
        }));
        try (StageRunner r = backend.load(p, "text")) {
            // F16 rounds each weight by up to 2^-11 relative: the fixture is then met only loosely
            double err = FixtureCheck.maxError(p, r);
            System.out.printf("[cpu] inspection-tiny/text with F16 weights: max abs error %.3g%n", err);
            assertTrue(err > 0 && err < 0.05, "error " + err);
        }
    }

    private static void replaceInModelJson(Path root, String from, String to) {
        try {
            Path json = root.resolve("model.json");
            String s = Files.readString(json, StandardCharsets.UTF_8);
            if (!s.contains(from)) {
                throw new AssertionError("model.json has no " + from);
            }
            Files.writeString(json, s.replace(from, to), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

package io.conceptseg.commons.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.model.StageSpec;
import io.conceptseg.commons.testing.TestPackages;
import org.junit.jupiter.api.Test;

/** The stage and stage-file lookups the backends share: a missing one names model.json. */
class ModelPackagesStageTest {
    private final ModelPackage tiny = TestPackages.inspectionTiny();

    @Test
    void anUnknownStageNamesModelJsonAndTheStagesThereAre() {
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> ModelPackages.stage(tiny, "tracker"));
        assertEquals(tiny.root().resolve("model.json").toString(), e.input());
        assertTrue(e.problem().startsWith("declares no stage 'tracker' (stages: [vision, text"), e.problem());
        assertSame(tiny.descriptor().stage("text"), ModelPackages.stage(tiny, "text"));
    }

    @Test
    void aStageFileIsResolvedOrItsAbsenceNamed() {
        StageSpec text = ModelPackages.stage(tiny, "text");
        assertEquals(tiny.root().resolve("onnx/text.onnx"), ModelPackages.stageFile(tiny, text, "onnx"));
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> ModelPackages.stageFile(tiny, text, "tensorrt"));
        assertEquals(tiny.root().resolve("model.json").toString(), e.input());
        assertEquals("stage 'text' names no tensorrt file", e.problem());
    }
}

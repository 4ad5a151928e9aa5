package io.conceptseg.commons.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.model.ModelPackage;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every backend's test on inspection-tiny checks: each stage reproduces its exporter fixture
 * within the package's tolerance for that backend, that tolerance is the one the exporter wrote,
 * and the stages tested are all the package has. A backend's test class extends it, names its
 * tolerance key, and loads stages on a backend it keeps in a static field for the class.
 */
public abstract class InspectionTinyContract {
    /** The stages of inspection-tiny, in model.json order. */
    public static final List<String> STAGES = List.of("vision", "text", "geometry", "fusion", "decoder");

    private final String toleranceKey;
    private final double exportersTolerance;

    /**
     * @param toleranceKey the key of model.json's {@code tolerance} for this backend ("onnx", "torchscript", "cpu")
     * @param exportersTolerance the tolerance the exporter writes under that key
     */
    protected InspectionTinyContract(String toleranceKey, double exportersTolerance) {
        this.toleranceKey = toleranceKey;
        this.exportersTolerance = exportersTolerance;
    }

    /** The stages, as a parameter source. */
    public static Stream<String> stages() {
        return STAGES.stream();
    }

    /** Loads a stage of the package on the backend. */
    protected abstract StageRunner load(ModelPackage tiny, String stage);

    @Test
    void theToleranceIsTheExportersAndEveryStageIsCovered() {
        ModelPackage tiny = TestPackages.inspectionTiny();
        assertEquals(exportersTolerance, tiny.descriptor().tolerance().get(toleranceKey), "model.json tolerance." + toleranceKey);
        assertEquals(STAGES, List.copyOf(tiny.descriptor().stages().keySet()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stages")
    void everyStageReproducesItsFixture(String stage) {
        ModelPackage tiny = TestPackages.inspectionTiny();
        try (StageRunner r = load(tiny, stage)) {
            FixtureCheck.assertReproduces(tiny, r, tiny.descriptor().tolerance().get(toleranceKey));
        }
    }
}

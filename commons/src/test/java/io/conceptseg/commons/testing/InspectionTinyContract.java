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
 * within the package's tolerance for that backend, the tolerance is the one the exporter wrote,
 * and the stages tested are all the package has. A backend's test class implements it and keeps
 * its backend in a static field set up once for the class.
 */
public interface InspectionTinyContract {
    /** The stages of inspection-tiny, in model.json order. */
    List<String> STAGES = List.of("vision", "text", "geometry", "fusion", "decoder");

    /** The stages, as a parameter source. */
    static Stream<String> stages() {
        return STAGES.stream();
    }

    /** The package, opened once by the test class. */
    ModelPackage tiny();

    /** The key of model.json's {@code tolerance} for this backend ("onnx", "torchscript", "cpu"). */
    String toleranceKey();

    /** The tolerance the exporter writes under that key. */
    double exportersTolerance();

    /** Loads a stage of {@link #tiny()} on the backend. */
    StageRunner load(String stage);

    @Test
    default void theToleranceIsTheExportersAndEveryStageIsCovered() {
        assertEquals(exportersTolerance(), tiny().descriptor().tolerance().get(toleranceKey()), "model.json tolerance."
                + toleranceKey());
        assertEquals(STAGES, List.copyOf(tiny().descriptor().stages().keySet()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.conceptseg.commons.testing.InspectionTinyContract#stages")
    default void everyStageReproducesItsFixture(String stage) {
        try (StageRunner r = load(stage)) {
            FixtureCheck.assertReproduces(tiny(), r, tiny().descriptor().tolerance().get(toleranceKey()));
        }
    }
}

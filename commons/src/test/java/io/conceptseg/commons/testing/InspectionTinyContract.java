package io.conceptseg.commons.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelPackage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every backend's test on inspection-tiny checks: each stage reproduces its exporter fixture
 * within the package's tolerance for that backend, that tolerance is the one the exporter wrote,
 * the stages tested are all the package has, and a bad input gets the one message every backend
 * gives (they share commons' StageSignature), after which the runner still works. A backend's test class extends it, names its
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

    /**
     * The trained packages the bundle can embed (model-inspection/packages besides
     * inspection-tiny; none is fine) run on this backend too: every stage against its fixture.
     */
    @TestFactory
    Stream<DynamicTest> everyTrainedPackageReproducesItsFixtures() {
        return TestPackages.trainedPackages().stream().flatMap(origin -> STAGES.stream().map(stage ->
                DynamicTest.dynamicTest(origin + " " + stage, () -> {
                    ModelPackage model = TestPackages.inRepository(origin);
                    try (StageRunner r = load(model, stage)) {
                        FixtureCheck.assertReproduces(model, r, model.descriptor().tolerance().get(toleranceKey));
                    }
                })));
    }

    @Test
    void aBadInputGetsOneMessageNamingStageAndTensor() {
        ModelPackage tiny = TestPackages.inspectionTiny();
        try (StageRunner vision = load(tiny, "vision"); StageRunner text = load(tiny, "text")) {
            assertEquals("stage 'vision' input 'images': axis 2 must be 128: expected float32 [B, 3, 128, 128], got float32 "
                    + "[1, 3, 64, 64]", failure(vision, Map.of("images", Tensor.ofFloats(new float[3 * 64 * 64], 1, 3, 64, 64))));
            assertEquals("stage 'vision' input 'images': expected float32 [B, 3, 128, 128], got float32 [3, 128, 128]",
                    failure(vision, Map.of("images", Tensor.ofFloats(new float[3 * 128 * 128], 3, 128, 128))));
            Map<String, Tensor> floatIds = new HashMap<>();
            floatIds.put("input_ids", Tensor.ofFloats(new float[16], 1, 16));
            floatIds.put("attention_mask", Tensor.ofLongs(new long[16], 1, 16));
            assertEquals("stage 'text' input 'input_ids': expected int64 [B, 16], got float32 [1, 16]", failure(text, floatIds));
            assertEquals("stage 'text' input 'attention_mask': missing (stage 'text' needs [input_ids, attention_mask], got "
                    + "[input_ids])", failure(text, Map.of("input_ids", Tensor.ofLongs(new long[16], 1, 16))));
            assertEquals("stage 'text': inputs are null", failure(text, null));
            // nothing broke: the runner still works
            FixtureCheck.assertReproduces(tiny, text, tiny.descriptor().tolerance().get(toleranceKey));
        }
    }

    private static String failure(StageRunner runner, Map<String, Tensor> inputs) {
        return assertThrows(ConceptSegException.class, () -> runner.run(inputs)).getMessage();
    }
}

package io.conceptseg.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.model.StageSpec;
import io.conceptseg.api.model.TensorSpec;
import io.conceptseg.commons.safetensors.SafeTensors;
import java.util.HashMap;
import java.util.Map;

/** Runs a stage on its fixture's inputs and compares every declared output with the fixture's. */
final class FixtureCheck {
    private FixtureCheck() { }

    /** The fixture's "input.*" tensors, by input name. */
    static Map<String, Tensor> inputs(ModelPackage model, String stage) {
        SafeTensors fixture = SafeTensors.open(model.file(model.descriptor().stage(stage).file("fixture")));
        Map<String, Tensor> inputs = new HashMap<>();
        for (String name : fixture.names()) {
            if (name.startsWith("input.")) {
                inputs.put(name.substring("input.".length()), fixture.tensor(name));
            }
        }
        return inputs;
    }

    /** The largest absolute error of the stage's outputs against its fixture. */
    static double maxError(ModelPackage model, StageRunner runner) {
        StageSpec spec = model.descriptor().stage(runner.stage());
        SafeTensors fixture = SafeTensors.open(model.file(spec.file("fixture")));
        Map<String, Tensor> outputs = runner.run(inputs(model, runner.stage()));
        double worst = 0;
        for (TensorSpec t : spec.outputs()) {
            worst = Math.max(worst, TestPackages.maxAbsError(fixture.tensor("output." + t.name()), outputs.get(t.name())));
        }
        return worst;
    }

    /**
     * Asserts the stage reproduces its fixture within {@code tolerance}; prints and returns the
     * largest absolute error over its outputs.
     */
    static double assertReproduces(ModelPackage model, StageRunner runner, double tolerance) {
        StageSpec spec = model.descriptor().stage(runner.stage());
        SafeTensors fixture = SafeTensors.open(model.file(spec.file("fixture")));
        Map<String, Tensor> outputs = runner.run(inputs(model, runner.stage()));
        double worst = 0;
        StringBuilder report = new StringBuilder();
        for (TensorSpec t : spec.outputs()) {
            Tensor expected = fixture.tensor("output." + t.name());
            Tensor actual = outputs.get(t.name());
            assertNotNull(actual, "stage " + runner.stage() + " returned no " + t.name());
            assertEquals(expected.dtype(), actual.dtype(), t.name() + " dtype");
            assertArrayEquals(expected.shape(), actual.shape(), t.name() + " shape");
            double err = TestPackages.maxAbsError(expected, actual);
            report.append(String.format(" %s=%.3g", t.name(), err));
            worst = Math.max(worst, err);
        }
        System.out.printf("[cpu] %s/%s max abs error %.3g (tolerance %.1g):%s%n", model.id(), runner.stage(), worst,
                tolerance, report);
        assertTrue(worst <= tolerance, "stage " + runner.stage() + ": max abs error " + worst + " > " + tolerance + ":" + report);
        return worst;
    }
}

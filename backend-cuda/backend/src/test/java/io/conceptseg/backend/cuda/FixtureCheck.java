package io.conceptseg.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.backend.DType;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.model.StageSpec;
import io.conceptseg.api.model.TensorSpec;
import io.conceptseg.commons.safetensors.SafeTensors;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

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

    /** The first batch entry of a tensor, as a batch of one. */
    static Tensor first(Tensor t) {
        long[] shape = t.shape();
        shape[0] = 1;
        int n = (int) Tensor.elementCount(shape);
        return t.dtype() == DType.FLOAT32 ? Tensor.ofFloats(java.util.Arrays.copyOf(t.floats(), n), shape)
                : Tensor.ofLongs(java.util.Arrays.copyOf(t.longs(), n), shape);
    }

    /**
     * Asserts the stage reproduces its fixture within {@code tolerance} (integer outputs exactly);
     * prints and returns the largest absolute error over its outputs.
     */
    static double assertReproduces(ModelPackage model, StageRunner runner, double tolerance) {
        return assertReproduces(model, runner, tolerance, "batch", UnaryOperator.identity());
    }

    /** Same on the fixture's first batch entry only (batch 1). */
    static double assertReproducesFirst(ModelPackage model, StageRunner runner, double tolerance) {
        return assertReproduces(model, runner, tolerance, "batch 1", FixtureCheck::first);
    }

    private static double assertReproduces(ModelPackage model, StageRunner runner, double tolerance, String label,
            UnaryOperator<Tensor> slice) {
        StageSpec spec = model.descriptor().stage(runner.stage());
        SafeTensors fixture = SafeTensors.open(model.file(spec.file("fixture")));
        Map<String, Tensor> in = new HashMap<>();
        inputs(model, runner.stage()).forEach((k, v) -> in.put(k, slice.apply(v)));
        Map<String, Tensor> outputs = runner.run(in);
        double worst = 0;
        StringBuilder report = new StringBuilder();
        for (TensorSpec t : spec.outputs()) {
            Tensor expected = slice.apply(fixture.tensor("output." + t.name()));
            Tensor actual = outputs.get(t.name());
            assertNotNull(actual, "stage " + runner.stage() + " returned no " + t.name());
            assertEquals(expected.dtype(), actual.dtype(), t.name() + " dtype");
            assertArrayEquals(expected.shape(), actual.shape(), t.name() + " shape");
            double err = TestPackages.maxAbsError(expected, actual);
            report.append(String.format(" %s=%.3g", t.name(), err));
            assertTrue(err <= (t.dtype() == DType.INT64 ? 0 : tolerance),
                    "stage " + runner.stage() + " output " + t.name() + ": max abs error " + err + " > " + tolerance);
            worst = Math.max(worst, err);
        }
        // the runner names its device ("cuda:model/stage@cpu"); no cast: in the OSGi test it comes from the bundle's loader
        System.out.printf("[%s] (%s) max abs error %.3g (tolerance %.1g):%s%n", runner, label, worst, tolerance, report);
        return worst;
    }
}

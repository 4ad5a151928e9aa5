package io.conceptseg.commons.testing;

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
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Runs a stage on its fixture's inputs (the package's fixtures/&lt;stage&gt;.safetensors,
 * "input.&lt;name&gt;" tensors) and compares every declared output with the fixture's
 * "output.&lt;name&gt;" tensor.
 */
public final class FixtureCheck {
    private FixtureCheck() { }

    /** The fixture's "input.*" tensors, by input name (a mutable map: tests damage it). */
    public static Map<String, Tensor> inputs(ModelPackage model, String stage) {
        SafeTensors fixture = fixture(model, stage);
        Map<String, Tensor> inputs = new HashMap<>();
        for (String name : fixture.names()) {
            if (name.startsWith("input.")) {
                inputs.put(name.substring("input.".length()), fixture.tensor(name));
            }
        }
        return inputs;
    }

    /** The largest absolute error of the stage's outputs against its fixture, without asserting. */
    public static double maxError(ModelPackage model, StageRunner runner) {
        StageSpec spec = model.descriptor().stage(runner.stage());
        SafeTensors fixture = fixture(model, runner.stage());
        Map<String, Tensor> outputs = runner.run(inputs(model, runner.stage()));
        double worst = 0;
        for (TensorSpec t : spec.outputs()) {
            worst = Math.max(worst, maxAbsError(fixture.tensor("output." + t.name()), outputs.get(t.name())));
        }
        return worst;
    }

    /**
     * Asserts the stage reproduces its fixture: every declared output present with the fixture's
     * dtype and shape, within {@code tolerance} (integer outputs exactly); prints and returns the
     * largest error over its outputs ({@link #maxScaledError}).
     */
    public static double assertReproduces(ModelPackage model, StageRunner runner, double tolerance) {
        return assertReproduces(model, runner, tolerance, "batch", UnaryOperator.identity());
    }

    /** {@link #assertReproduces} on the fixture's first batch entry only (batch 1). */
    public static double assertReproducesFirst(ModelPackage model, StageRunner runner, double tolerance) {
        return assertReproduces(model, runner, tolerance, "batch 1", FixtureCheck::first);
    }

    private static double assertReproduces(ModelPackage model, StageRunner runner, double tolerance, String label,
            UnaryOperator<Tensor> slice) {
        StageSpec spec = model.descriptor().stage(runner.stage());
        SafeTensors fixture = fixture(model, runner.stage());
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
            double err = maxScaledError(expected, actual);
            report.append(String.format(" %s=%.3g", t.name(), err));
            assertTrue(err <= (t.dtype() == DType.INT64 ? 0 : tolerance),
                    "stage " + runner.stage() + " output " + t.name() + ": max error " + err + " > " + tolerance
                            + " (|expected - actual| / max(1, |expected|))");
            worst = Math.max(worst, err);
        }
        // the runner names its backend, model and stage ("cuda:model/stage@cpu"); no cast to a
        // backend's class: in an OSGi test the runner comes from the bundle's class loader
        System.out.printf("[%s] (%s) max error %.3g (tolerance %.1g):%s%n", runner, label, worst, tolerance, report);
        return worst;
    }

    /**
     * The largest |expected - actual| / max(1, |expected|): absolute below 1, relative above. A
     * trained model's mask logits reach ~140, where float32 rounding alone differs by ~1e-4 between
     * two correct runtimes; integer outputs compare exactly (any difference is at least 1).
     */
    public static double maxScaledError(Tensor expected, Tensor actual) {
        return maxError(expected, actual, true);
    }

    /** The largest absolute difference between two tensors of the same dtype and size (NaN counts as infinite). */
    public static double maxAbsError(Tensor expected, Tensor actual) {
        return maxError(expected, actual, false);
    }

    private static double maxError(Tensor expected, Tensor actual, boolean scaledAboveOne) {
        double max = 0;
        if (expected.dtype() == DType.FLOAT32) {
            float[] e = expected.floats();
            float[] a = actual.floats();
            for (int i = 0; i < e.length; i++) {
                double d = Math.abs((double) e[i] - a[i]);
                if (scaledAboveOne) {
                    d /= Math.max(1.0, Math.abs((double) e[i]));
                }
                if (Double.isNaN(d)) {
                    return Double.POSITIVE_INFINITY;
                }
                max = Math.max(max, d);
            }
        } else {
            long[] e = expected.longs();
            long[] a = actual.longs();
            for (int i = 0; i < e.length; i++) {
                max = Math.max(max, Math.abs((double) e[i] - a[i]));
            }
        }
        return max;
    }

    /** The first batch entry of a tensor, as a batch of one. */
    public static Tensor first(Tensor t) {
        long[] shape = t.shape();
        shape[0] = 1;
        int n = (int) Tensor.elementCount(shape);
        return t.dtype() == DType.FLOAT32 ? Tensor.ofFloats(Arrays.copyOf(t.floats(), n), shape)
                : Tensor.ofLongs(Arrays.copyOf(t.longs(), n), shape);
    }

    private static SafeTensors fixture(ModelPackage model, String stage) {
        return SafeTensors.open(model.file(model.descriptor().stage(stage).file("fixture")));
    }
}

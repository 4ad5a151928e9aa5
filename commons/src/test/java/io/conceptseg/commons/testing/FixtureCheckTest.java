package io.conceptseg.commons.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.commons.safetensors.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/** The shared fixture check fails where a backend would be wrong, on inspection-tiny's own fixtures. */
class FixtureCheckTest {
    private final ModelPackage tiny = TestPackages.inspectionTiny();

    /** A runner that answers with the fixture's outputs, each changed by {@code change}. */
    private StageRunner replay(String stage, UnaryOperator<Tensor> change) {
        SafeTensors fixture = SafeTensors.open(tiny.file(tiny.descriptor().stage(stage).file("fixture")));
        return new StageRunner() {
            @Override
            public String stage() { return stage; }

            @Override
            public String backendId() { return "replay"; }

            @Override
            public Map<String, Tensor> run(Map<String, Tensor> inputs) {
                assertEquals(FixtureCheck.inputs(tiny, stage).keySet(), inputs.keySet());
                Map<String, Tensor> out = new HashMap<>();
                for (String name : fixture.names()) {
                    if (name.startsWith("output.")) {
                        out.put(name.substring("output.".length()), change.apply(fixture.tensor(name)));
                    }
                }
                return out;
            }

            @Override
            public void close() { }
        };
    }

    private static Tensor plus(Tensor t, float delta) {
        float[] f = t.floats().clone();
        f[f.length - 1] += delta;
        return Tensor.ofFloats(f, t.shape());
    }

    @Test
    void theFixtureItselfReproducesExactly() {
        for (String stage : tiny.descriptor().stages().keySet()) {
            assertEquals(0.0, FixtureCheck.assertReproduces(tiny, replay(stage, UnaryOperator.identity()), 0.0), stage);
            assertEquals(0.0, FixtureCheck.assertReproducesFirst(tiny, replay(stage, FixtureCheck::first), 0.0), stage);
        }
    }

    @Test
    void anErrorAboveTheToleranceFailsAndIsMeasured() {
        StageRunner off = replay("text", t -> plus(t, 0.5f));
        assertEquals(0.5, FixtureCheck.maxError(tiny, off), 1e-6);
        assertEquals(0.5, FixtureCheck.assertReproduces(tiny, off, 0.6), 1e-6);
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> FixtureCheck.assertReproduces(tiny, off, 0.1));
        assertTrue(e.getMessage().startsWith("stage text output "), e.getMessage());
    }

    @Test
    void aMissingOrReshapedOutputFails() {
        assertThrows(AssertionFailedError.class, () -> FixtureCheck.assertReproduces(tiny, replay("text",
                t -> Tensor.ofFloats(t.floats(), Tensor.elementCount(t.shape()))), 1));
        StageRunner none = replay("text", t -> t);
        StageRunner missing = new StageRunner() {
            @Override
            public String stage() { return "text"; }

            @Override
            public String backendId() { return "replay"; }

            @Override
            public Map<String, Tensor> run(Map<String, Tensor> inputs) {
                Map<String, Tensor> out = new HashMap<>(none.run(inputs));
                out.remove("text_mask");
                return out;
            }

            @Override
            public void close() { }
        };
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> FixtureCheck.assertReproduces(tiny, missing, 1));
        assertTrue(e.getMessage().contains("returned no text_mask"), e.getMessage());
    }

    @Test
    void nanIsAnInfiniteError() {
        Tensor a = Tensor.ofFloats(new float[] {1, 2}, 2);
        assertEquals(Double.POSITIVE_INFINITY, FixtureCheck.maxAbsError(a, Tensor.ofFloats(new float[] {1, Float.NaN}, 2)));
        assertEquals(3.0, FixtureCheck.maxAbsError(Tensor.ofLongs(new long[] {4, 5}, 2), Tensor.ofLongs(new long[] {1, 5}, 2)));
        assertArrayEquals(new long[] {1, 2}, FixtureCheck.first(Tensor.ofFloats(new float[6], 3, 2)).shape());
    }

    @Test
    void errorsAreAbsoluteBelowOneAndRelativeAbove() {
        Tensor expected = Tensor.ofFloats(new float[] {0.5f, 200f, -400f}, 3);
        Tensor actual = Tensor.ofFloats(new float[] {0.5002f, 200.01f, -400f}, 3);
        assertEquals(2e-4, FixtureCheck.maxScaledError(expected, actual), 1e-6);
        assertEquals(0.01, FixtureCheck.maxAbsError(expected, actual), 1e-4);
        assertEquals(Double.POSITIVE_INFINITY, FixtureCheck.maxScaledError(expected, Tensor.ofFloats(new float[] {0, Float.NaN, 0}, 3)));
        assertEquals(3.0, FixtureCheck.maxScaledError(Tensor.ofLongs(new long[] {400, 5}, 2), Tensor.ofLongs(new long[] {403, 5}, 2)));
    }

    @Test
    void aCopyIsACompletePackage(@TempDir Path tmp) throws IOException {
        Path copy = TestPackages.copy(TestPackages.inspectionTinyRoot(), tmp.resolve("tiny"));
        try (Stream<Path> original = Files.walk(TestPackages.inspectionTinyRoot()); Stream<Path> copied = Files.walk(copy)) {
            assertEquals(original.count(), copied.count());
        }
        assertEquals(-1, Files.mismatch(TestPackages.inspectionTinyRoot().resolve("onnx/text.onnx"), copy.resolve("onnx/text.onnx")));
    }
}

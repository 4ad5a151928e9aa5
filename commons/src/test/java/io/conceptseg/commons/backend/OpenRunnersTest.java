package io.conceptseg.commons.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.commons.testing.TestPackages;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpenRunnersTest {
    private final ModelPackage tiny = TestPackages.inspectionTiny();
    private final OpenRunners<Runner> runners = new OpenRunners<>("onnx");

    /** A runner that counts its closes and is forgotten by the registry when closed. */
    private final class Runner implements StageRunner {
        int closes;

        @Override
        public String stage() { return "text"; }

        @Override
        public String backendId() { return "onnx"; }

        @Override
        public Map<String, Tensor> run(Map<String, Tensor> inputs) { return Map.of(); }

        @Override
        public void close() {
            closes++;
            runners.remove(this);
        }
    }

    @Test
    void keepsRunnersUntilClosedAndStopClosesTheRest() {
        Runner a = runners.add(new Runner(), tiny, "text");
        Runner b = runners.add(new Runner(), tiny, "text");
        assertEquals(Set.of(a, b), runners.open());
        a.close();
        assertEquals(Set.of(b), runners.open());
        runners.stop();
        assertEquals(1, b.closes);
        assertTrue(runners.open().isEmpty());
        assertTrue(runners.stopped());
    }

    @Test
    void aStoppedBackendLoadsNothingAndClosesARunnerMadeMeanwhile() {
        runners.checkRunning(tiny, "text");
        runners.stop();
        ConceptSegException stopped = assertThrows(ConceptSegException.class, () -> runners.checkRunning(tiny, "text"));
        assertEquals("onnx backend: is stopped; cannot load stage 'text' of model inspection-tiny", stopped.getMessage());
        Runner late = new Runner();
        ConceptSegException whileLoading = assertThrows(ConceptSegException.class, () -> runners.add(late, tiny, "text"));
        assertEquals("onnx backend: stopped while loading stage 'text' of model inspection-tiny", whileLoading.getMessage());
        assertEquals(1, late.closes);
        assertTrue(runners.open().isEmpty());
    }
}

package io.conceptseg.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.model.ModelPackage;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The backend on the repository's inspection-tiny package: every stage against its exporter fixture. */
class InspectionTinyTest {
    private static CpuBackend backend;
    private static ModelPackage tiny;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend();
        backend.configure(null, 2);
        tiny = TestPackages.tiny();
    }

    @AfterAll
    static void tearDown() {
        backend.deactivate();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vision", "text", "geometry", "fusion", "decoder"})
    void everyStageReproducesItsFixture(String stage) {
        double tolerance = tiny.descriptor().tolerance().get("cpu");
        assertEquals(1e-3, tolerance, "model.json tolerance.cpu");
        try (StageRunner r = backend.load(tiny, stage)) {
            FixtureCheck.assertReproduces(tiny, r, tolerance);
        }
    }

    @Test
    void theTestCoversEveryStageOfThePackage() {
        assertEquals(List.of("vision", "text", "geometry", "fusion", "decoder"), List.copyOf(tiny.descriptor().stages().keySet()));
    }
}

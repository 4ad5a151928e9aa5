package io.conceptseg.backend.cpu;

import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.commons.testing.InspectionTinyContract;
import io.conceptseg.commons.testing.TestPackages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The backend on the repository's inspection-tiny package: every stage against its exporter fixture. */
class InspectionTinyTest implements InspectionTinyContract {
    private static CpuBackend backend;
    private static ModelPackage tiny;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend();
        backend.configure(null, 2);
        tiny = TestPackages.inspectionTiny();
    }

    @AfterAll
    static void tearDown() {
        backend.deactivate();
    }

    @Override
    public ModelPackage tiny() { return tiny; }

    @Override
    public String toleranceKey() { return "cpu"; }

    @Override
    public double exportersTolerance() { return 1e-3; }

    @Override
    public StageRunner load(String stage) { return backend.load(tiny, stage); }
}

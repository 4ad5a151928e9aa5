package io.conceptseg.backend.cpu;

import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.commons.testing.InspectionTinyContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The backend on the repository's inspection-tiny package: every stage against its exporter fixture. */
class InspectionTinyTest extends InspectionTinyContract {
    private static CpuBackend backend;

    InspectionTinyTest() {
        super("cpu", 1e-3);
    }

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend();
        backend.configure(null, 2);
    }

    @AfterAll
    static void tearDown() {
        backend.deactivate();
    }

    @Override
    protected StageRunner load(ModelPackage tiny, String stage) {
        return backend.load(tiny, stage);
    }
}

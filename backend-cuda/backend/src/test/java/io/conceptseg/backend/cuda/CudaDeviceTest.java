package io.conceptseg.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.conceptseg.api.backend.Availability;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.commons.testing.FixtureCheck;
import io.conceptseg.commons.testing.TestPackages;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The backend on CUDA device 0. Runs only on a host set up as backend-cuda/README.md says
 * (PYTORCH_LIBRARY_PATH, PYTORCH_VERSION, PYTORCH_FLAVOR=cu128); elsewhere it is skipped, and
 * AvailabilityTest checks the reason instead.
 */
class CudaDeviceTest {
    private static CudaBackend backend;
    private static ModelPackage tiny;

    @BeforeAll
    static void setUp() {
        if (!CudaHost.configured()) {
            return;
        }
        backend = new CudaBackend();
        backend.configure(null, "cuda");
        tiny = TestPackages.inspectionTiny();
    }

    @BeforeEach
    void onlyOnACudaHost() {
        // per test, so that the report lists each test as skipped
        assumeTrue(CudaHost.configured(), "no CUDA libtorch configured (PYTORCH_LIBRARY_PATH, PYTORCH_FLAVOR=cu...)");
    }

    @AfterAll
    static void tearDown() {
        if (backend != null) {
            backend.deactivate();
        }
    }

    @Test
    void isAvailableOnCudaDeviceZero() {
        Availability a = backend.availability();
        System.out.println("[cuda device=cuda] availability: " + a);
        assertTrue(a.available(), a.reason());
        assertTrue(a.reason().startsWith("CUDA device cuda:0 ("), a.reason());
        assertEquals(List.of("cuda:0"), backend.devices());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vision", "text", "geometry", "fusion", "decoder"})
    void everyStageReproducesItsFixtureOnTheGpu(String stage) {
        try (StageRunner r = backend.load(tiny, stage)) {
            assertEquals("cuda:0", ((TorchScriptStageRunner) r).device());
            FixtureCheck.assertReproduces(tiny, r, tiny.descriptor().tolerance().get("torchscript"));
            FixtureCheck.assertReproducesFirst(tiny, r, tiny.descriptor().tolerance().get("torchscript"));
        }
    }
}

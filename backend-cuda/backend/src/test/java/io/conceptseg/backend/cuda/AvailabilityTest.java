package io.conceptseg.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.backend.Availability;
import io.conceptseg.commons.testing.TestPackages;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What the backend reports on this machine (no GPU, CPU libtorch from Maven Central) and when its
 * engine or configuration is broken. availability() never throws.
 */
class AvailabilityTest {
    @Test
    void identifiesItself() {
        CudaBackend backend = new CudaBackend();
        assertEquals("cuda", backend.id());
        assertEquals(300, backend.priority());
        assertEquals(TorchDevice.CUDA, backend.device(), "cuda is the default device");
    }

    @Test
    void withoutCudaItIsUnavailableAndSaysWhy() {
        assumeFalse(CudaHost.configured(), "a CUDA libtorch is configured: CudaDeviceTest covers this host");
        CudaBackend backend = new CudaBackend();
        backend.configure(null, "cuda");
        Availability a = backend.availability();
        System.out.println("[cuda device=cuda] availability: " + a);
        assertFalse(a.available());
        assertTrue(a.reason().startsWith(NvidiaDriver.present() ? "no CUDA device: libtorch 2.7.1 cpu flavour loaded (from "
                : "no CUDA device: no NVIDIA driver on this host"), a.reason());
        assertTrue(a.reason().contains("PYTORCH_LIBRARY_PATH"), a.reason());
        assertTrue(a.reason().contains("device=cpu"), a.reason());
        assertEquals(List.of(), backend.devices());
        ConceptSegException e = assertThrows(ConceptSegException.class, () -> backend.load(TestPackages.resourcePackage(AvailabilityTest.class, "/toy-package"), "toy"));
        assertTrue(e.getMessage().startsWith("cuda backend: cannot load stage 'toy' of model toy: no CUDA device: "), e.getMessage());
        assertTrue(backend.openRunners().isEmpty());
    }

    @Test
    void onTheCpuDeviceItIsAvailableWithANote() {
        CudaBackend backend = CpuDevice.backend();
        Availability a = backend.availability();
        System.out.println("[cuda device=cpu] availability: " + a);
        assertTrue(a.available());
        assertTrue(a.reason().startsWith("running on CPU (device=cpu); libtorch 2.7.1 ("), a.reason());
        assertTrue(a.reason().endsWith("), DJL 0.36.0"), a.reason());
        assertEquals(List.of("cpu"), backend.devices());
    }

    @Test
    void theSystemPropertySwitchesTheDevice() {
        CudaBackend backend = new CudaBackend();
        backend.configure("cpu", "cuda");
        assertTrue(backend.availability().available());
        backend.configure(null, "cuda");
        assertEquals(CudaHost.configured(), backend.availability().available());
    }

    @Test
    void anEngineThatFailsToLoadIsReportedOnceWithItsCause() {
        AtomicInteger starts = new AtomicInteger();
        CudaBackend backend = new CudaBackend(new TorchRuntime(() -> {
            starts.incrementAndGet();
            throw new ai.djl.engine.EngineException("Failed to load PyTorch native library",
                    new UnsatisfiedLinkError("Native Library /root/.djl.ai/pytorch/libc10.so already loaded in another classloader"));
        }));
        backend.configure(null, "cpu");
        for (int i = 0; i < 3; i++) {
            Availability a = backend.availability();
            assertFalse(a.available());
            assertEquals("DJL PyTorch engine failed to load: EngineException: Failed to load PyTorch native library <- "
                    + "UnsatisfiedLinkError: Native Library /root/.djl.ai/pytorch/libc10.so already loaded in another classloader",
                    a.reason());
        }
        assertEquals(1, starts.get(), "a failed engine is not retried within one activation");
        assertEquals(List.of(), backend.devices());
        ConceptSegException e = assertThrows(ConceptSegException.class, () -> backend.load(TestPackages.resourcePackage(AvailabilityTest.class, "/toy-package"), "toy"));
        assertTrue(e.getMessage().startsWith("cuda backend: DJL PyTorch engine failed to load: EngineException"), e.getMessage());
    }

    @Test
    void aLinkageErrorOrAssertionFromDjlDoesNotEscape() {
        CudaBackend linkage = new CudaBackend(new TorchRuntime(() -> {
            throw new NoClassDefFoundError("ai/djl/util/cuda/CudaUtils");
        }));
        linkage.configure(null, "cpu"); // device=cpu always starts the engine (no driver pre-check)
        assertEquals("DJL PyTorch engine failed to load: NoClassDefFoundError: ai/djl/util/cuda/CudaUtils",
                linkage.availability().reason());
        CudaBackend assertion = new CudaBackend(new TorchRuntime(() -> {
            throw new AssertionError("No pytorch version found in property file.");
        }));
        assertion.configure(null, "cpu");
        assertEquals("DJL PyTorch engine failed to load: AssertionError: No pytorch version found in property file.",
                assertion.availability().reason());
    }

    @Test
    void aBadConfigurationIsReportedAndKeepsNothingElseFromWorking() {
        CudaBackend backend = new CudaBackend();
        backend.configure("tpu", null);
        Availability a = backend.availability();
        assertFalse(a.available());
        assertEquals("bad configuration: conceptseg.cuda.device: 'tpu' is not a device (cuda or cpu)", a.reason());
        backend.configure(null, "cpu");
        assertTrue(backend.availability().available(), "a corrected configuration applies at once");
    }

    @Test
    void djlIsOfflineUnlessTheUserSaidOtherwise() {
        CpuDevice.backend().availability();
        assertEquals("true", System.getProperty(TorchRuntime.OFFLINE));
    }
}

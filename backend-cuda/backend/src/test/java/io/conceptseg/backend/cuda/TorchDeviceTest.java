package io.conceptseg.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.conceptseg.api.ConceptSegException;
import org.junit.jupiter.api.Test;

class TorchDeviceTest {
    @Test
    void cudaIsTheDefault() {
        assertEquals(TorchDevice.CUDA, TorchDevice.resolve(null, null));
        assertEquals(TorchDevice.CUDA, TorchDevice.resolve(" ", ""));
    }

    @Test
    void theConfigurationChoosesWhenThePropertyIsUnset() {
        assertEquals(TorchDevice.CPU, TorchDevice.resolve(null, "cpu"));
        assertEquals(TorchDevice.CPU, TorchDevice.resolve("", " CPU "));
        assertEquals(TorchDevice.CUDA, TorchDevice.resolve(null, "cuda"));
    }

    @Test
    void thePropertyWinsOverTheConfiguration() {
        assertEquals(TorchDevice.CPU, TorchDevice.resolve("cpu", "cuda"));
        assertEquals(TorchDevice.CUDA, TorchDevice.resolve("cuda", "cpu"));
    }

    @Test
    void aBadValueIsNamedWithWhereItCameFrom() {
        ConceptSegException p = assertThrows(ConceptSegException.class, () -> TorchDevice.resolve("tpu", "cpu"));
        assertEquals("conceptseg.cuda.device: 'tpu' is not a device (cuda or cpu)", p.getMessage());
        ConceptSegException c = assertThrows(ConceptSegException.class, () -> TorchDevice.resolve(null, "cuda:1"));
        assertEquals("io.conceptseg.backend.cuda device: 'cuda:1' is not a device (cuda or cpu)", c.getMessage());
    }
}

package io.conceptseg.backend.cuda;

import io.conceptseg.api.ConceptSegException;
import java.util.Locale;

/**
 * Where the backend runs its stages: {@code cuda} (CUDA device 0, the default) or {@code cpu}
 * (DJL's CPU device, so that machines without a GPU, CI among them, check the backend's numerics).
 * The framework/system property {@value #PROPERTY} wins over the configuration's {@code device}
 * (a launch flag overrides a configuration file, as on a command line).
 */
enum TorchDevice {
    /** CUDA device 0. */
    CUDA,
    /** The CPU. */
    CPU;

    /** Framework (or system) property that overrides the configuration. */
    static final String PROPERTY = "conceptseg.cuda.device";

    /** The spelling of configuration and property values. */
    String spelling() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Resolves the device.
     *
     * @param property value of {@value #PROPERTY}, or null when unset
     * @param configured the configuration's {@code device}, or null/blank for the default
     * @throws ConceptSegException naming the property or configuration entry when the value is neither cuda nor cpu
     */
    static TorchDevice resolve(String property, String configured) {
        if (property != null && !property.isBlank()) {
            return parse(PROPERTY, property);
        }
        if (configured != null && !configured.isBlank()) {
            return parse(CudaBackend.PID + " device", configured);
        }
        return CUDA;
    }

    private static TorchDevice parse(String where, String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "cuda", "gpu" -> CUDA;
            case "cpu" -> CPU;
            default -> throw new ConceptSegException(where, "'" + value + "' is not a device (cuda or cpu)");
        };
    }
}

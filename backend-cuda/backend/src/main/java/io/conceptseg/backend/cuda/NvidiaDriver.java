package io.conceptseg.backend.cuda;

import java.nio.file.Files;
import java.nio.file.Path;

/** Whether the host has an NVIDIA kernel driver, checked without loading any native library. */
final class NvidiaDriver {
    /** The file the NVIDIA kernel module publishes. */
    static final String PROBE = "/proc/driver/nvidia/version";

    private NvidiaDriver() { }

    static boolean present() {
        return Files.exists(Path.of(PROBE)) || Files.exists(Path.of("/dev/nvidiactl"));
    }
}

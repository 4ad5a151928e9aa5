package io.conceptseg.backend.cuda;

/** The backend on DJL's CPU device, as CI runs it. */
final class CpuDevice {
    private CpuDevice() { }

    /** A backend configured with device=cpu; deactivate it when done. */
    static CudaBackend backend() {
        CudaBackend backend = new CudaBackend();
        backend.configure(null, "cpu");
        return backend;
    }
}

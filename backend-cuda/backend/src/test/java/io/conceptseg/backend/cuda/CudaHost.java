package io.conceptseg.backend.cuda;

/**
 * Whether the tests run on a CUDA host, decided from the environment the README prescribes (not
 * from the backend under test): PYTORCH_LIBRARY_PATH set and PYTORCH_FLAVOR a CUDA flavour.
 */
final class CudaHost {
    private CudaHost() { }

    static boolean configured() {
        String path = System.getenv("PYTORCH_LIBRARY_PATH");
        String flavor = System.getenv("PYTORCH_FLAVOR");
        return path != null && !path.isBlank() && flavor != null && flavor.startsWith("cu");
    }
}

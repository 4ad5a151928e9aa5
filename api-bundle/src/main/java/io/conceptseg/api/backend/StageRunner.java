package io.conceptseg.api.backend;

import java.util.Map;

/**
 * One loaded stage of one model on one backend (an ORT session, a TorchScript module, Java
 * kernels). Thread-safe: requests may run concurrently. {@link #close()} frees native resources;
 * a closed runner refuses to run.
 */
public interface StageRunner extends AutoCloseable {
    /** The stage name (vision, text, geometry, fusion, decoder). */
    String stage();

    /** The backend that made this runner. */
    String backendId();

    /**
     * Runs the stage. Inputs are keyed by the names of the stage's signature in model.json;
     * outputs likewise.
     *
     * @throws io.conceptseg.api.ConceptSegException naming the stage when the inputs do not fit
     */
    Map<String, Tensor> run(Map<String, Tensor> inputs);

    /** Frees what the runner holds; idempotent. */
    @Override
    void close();
}

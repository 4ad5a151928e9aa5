package io.conceptseg.pipeline;

import io.conceptseg.api.model.ModelPackage;

/** Hands out model sessions on the selected (or a named) backend; internal to the pipeline bundle. */
public interface SessionProvider {
    /**
     * A session of {@code model} on {@code backendId} (null: the selected backend), acquired; the
     * caller must {@link LoadedSession#release(double)} it.
     *
     * @throws io.conceptseg.api.NoBackendException when no backend can run it
     */
    LoadedSession acquire(ModelPackage model, String backendId);
}

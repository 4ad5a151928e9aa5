package io.conceptseg.api.stage;

import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.model.ModelPackage;

/**
 * The stages of one model loaded on one backend, as one request sees them. A request keeps its
 * session from start to end, so a backend switch never changes runners under a request.
 */
public interface ModelSession {
    /** The model. */
    ModelPackage model();

    /** The backend the runners belong to. */
    String backendId();

    /** Whether the model has that stage. */
    boolean hasStage(String stage);

    /**
     * The runner of a stage.
     *
     * @throws io.conceptseg.api.ModelPackageException when the model has no such stage
     */
    StageRunner runner(String stage);
}

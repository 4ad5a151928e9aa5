package io.conceptseg.api.model;

import java.util.List;
import java.util.Optional;

/** The model packages known to the framework: from model bundles and configured folders. */
public interface ModelRegistry {
    /** All models, default first. */
    List<ModelPackage> models();

    /** The model with that id. */
    Optional<ModelPackage> find(String id);

    /**
     * The model requests use when they name none.
     *
     * @throws io.conceptseg.api.ModelPackageException when no model is installed
     */
    ModelPackage defaultModel();
}

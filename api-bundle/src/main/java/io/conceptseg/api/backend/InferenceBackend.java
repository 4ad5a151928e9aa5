package io.conceptseg.api.backend;

import io.conceptseg.api.model.ModelPackage;
import java.util.List;

/**
 * A hardware backend, registered as an OSGi service by its bundle. The selector picks the
 * available backend with the highest {@link #priority()} unless the user names one.
 */
public interface InferenceBackend {
    /** Short id used on the command line: "cpu", "onnx", "cuda". */
    String id();

    /** Higher runs first under "auto" (cuda 300, onnx 200, cpu 100). */
    int priority();

    /** Whether it can run here and why not; never throws. */
    Availability availability();

    /** Devices it would run on ("cpu", "cuda:0"). */
    List<String> devices();

    /**
     * Loads one stage of a model package.
     *
     * @throws io.conceptseg.api.ModelPackageException when the stage file is missing or corrupt
     * @throws io.conceptseg.api.ConceptSegException when the backend cannot load it
     */
    StageRunner load(ModelPackage model, String stage);
}

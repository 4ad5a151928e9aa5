package io.conceptseg.backend.onnx.testing;

import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.stage.ModelSession;
import io.conceptseg.backend.onnx.OnnxBackend;
import io.conceptseg.commons.testing.TestPackages;
import java.util.HashMap;
import java.util.Map;

/**
 * The repository's inspection-tiny package on the real ONNX Runtime backend, its stages loaded on
 * first use; close() frees them. For the tests of stage consumers (the encoders); it needs ONNX
 * Runtime and this backend on their test classpath.
 */
public final class OnnxSession implements ModelSession, AutoCloseable {
    private final OnnxBackend backend = new OnnxBackend();
    private final ModelPackage model = TestPackages.inspectionTiny();
    private final Map<String, StageRunner> runners = new HashMap<>();

    /** Whether ONNX Runtime loads here; tests are skipped where it does not. */
    public boolean available() { return backend.availability().available(); }

    @Override
    public ModelPackage model() { return model; }

    @Override
    public String backendId() { return backend.id(); }

    @Override
    public boolean hasStage(String stage) { return model.descriptor().stage(stage) != null; }

    @Override
    public synchronized StageRunner runner(String stage) {
        if (!hasStage(stage)) {
            throw new ModelPackageException("model " + model.id(), "has no stage " + stage);
        }
        return runners.computeIfAbsent(stage, s -> backend.load(model, s));
    }

    @Override
    public synchronized void close() {
        runners.values().forEach(StageRunner::close);
        runners.clear();
    }
}

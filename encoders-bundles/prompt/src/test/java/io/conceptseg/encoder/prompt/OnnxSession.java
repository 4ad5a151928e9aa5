package io.conceptseg.encoder.prompt;

import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.stage.ModelSession;
import io.conceptseg.backend.onnx.OnnxBackend;
import io.conceptseg.commons.model.ModelPackages;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The tiny package's stages on the real ONNX Runtime backend, loaded on first use; close() frees them. */
final class OnnxSession implements ModelSession, AutoCloseable {
    private final OnnxBackend backend = new OnnxBackend();
    private final ModelPackage model;
    private final Map<String, StageRunner> runners = new HashMap<>();

    OnnxSession() {
        String root = System.getProperty("conceptseg.root", "../..");
        model = ModelPackages.open(Path.of(root, "model-inspection/packages/inspection-tiny"), "test");
    }

    /** Whether ONNX Runtime loads here; tests are skipped where it does not. */
    boolean available() { return backend.availability().available(); }

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

package io.conceptseg.commons.testing;

import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.stage.ModelSession;
import java.util.Map;

/**
 * A model session whose stages are answered by {@link #run}, a function of the stage and its
 * inputs, instead of a backend: the test double stage consumers (encoders, decoders) run against.
 * It has the stages the package's descriptor declares.
 */
public abstract class FunctionSession implements ModelSession {
    private final ModelPackage model;
    private final String backendId;

    /**
     * @param model the package whose descriptor declares the stages
     * @param backendId the backend id the session and its runners report
     */
    protected FunctionSession(ModelPackage model, String backendId) {
        this.model = model;
        this.backendId = backendId;
    }

    /** Answers one run of {@code stage}. */
    protected abstract Map<String, Tensor> run(String stage, Map<String, Tensor> inputs);

    @Override
    public ModelPackage model() { return model; }

    @Override
    public String backendId() { return backendId; }

    @Override
    public boolean hasStage(String stage) { return model.descriptor().stage(stage) != null; }

    @Override
    public StageRunner runner(String stage) {
        if (!hasStage(stage)) {
            throw new ModelPackageException(stage, "no such stage");
        }
        return new StageRunner() {
            @Override
            public String stage() { return stage; }

            @Override
            public String backendId() { return backendId; }

            @Override
            public Map<String, Tensor> run(Map<String, Tensor> inputs) {
                return FunctionSession.this.run(stage, inputs);
            }

            @Override
            public void close() { }
        };
    }
}

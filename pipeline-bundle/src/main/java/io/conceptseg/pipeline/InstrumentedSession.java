package io.conceptseg.pipeline;

import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.stage.ModelSession;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A per-request view of a session that times every stage call (so results report network time
 * per stage apart from pre/post-processing) and, for benchmarks, records each call's inputs so the
 * same stage calls can be replayed directly on the runners.
 */
final class InstrumentedSession implements ModelSession {
    /** One stage call as the pipeline made it. */
    record StageCall(String stage, Map<String, Tensor> inputs) { }

    private final ModelSession delegate;
    private final boolean recordInputs;
    private final Map<String, Double> stageMillis = new LinkedHashMap<>();
    private final List<StageCall> calls = new ArrayList<>();

    InstrumentedSession(ModelSession delegate, boolean recordInputs) {
        this.delegate = delegate;
        this.recordInputs = recordInputs;
    }

    @Override
    public ModelPackage model() { return delegate.model(); }

    @Override
    public String backendId() { return delegate.backendId(); }

    @Override
    public boolean hasStage(String stage) { return delegate.hasStage(stage); }

    @Override
    public StageRunner runner(String stage) {
        StageRunner inner = delegate.runner(stage);
        return new StageRunner() {
            @Override
            public String stage() { return inner.stage(); }

            @Override
            public String backendId() { return inner.backendId(); }

            @Override
            public Map<String, Tensor> run(Map<String, Tensor> inputs) {
                long t0 = System.nanoTime();
                try {
                    return inner.run(inputs);
                } finally {
                    double ms = (System.nanoTime() - t0) / 1e6;
                    synchronized (InstrumentedSession.this) {
                        stageMillis.merge(stage, ms, Double::sum);
                        if (recordInputs) {
                            calls.add(new StageCall(stage, Map.copyOf(inputs)));
                        }
                    }
                }
            }

            @Override
            public void close() {
                // the shared session owns the runner
            }
        };
    }

    /** Network time per stage so far. */
    synchronized Map<String, Double> stageMillis() { return new LinkedHashMap<>(stageMillis); }

    /** The recorded stage calls, in order. */
    synchronized List<StageCall> calls() { return List.copyOf(calls); }
}

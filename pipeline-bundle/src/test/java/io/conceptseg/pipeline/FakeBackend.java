package io.conceptseg.pipeline;

import io.conceptseg.api.backend.Availability;
import io.conceptseg.api.backend.InferenceBackend;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelPackage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A backend double: counts loads and closes, can be made unavailable. */
final class FakeBackend implements InferenceBackend {
    final String id;
    final int priority;
    volatile Availability availability = Availability.ready("");
    final AtomicInteger loads = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();

    FakeBackend(String id, int priority) {
        this.id = id;
        this.priority = priority;
    }

    @Override
    public String id() { return id; }

    @Override
    public int priority() { return priority; }

    @Override
    public Availability availability() { return availability; }

    @Override
    public List<String> devices() { return List.of("cpu"); }

    @Override
    public StageRunner load(ModelPackage model, String stage) {
        loads.incrementAndGet();
        return new StageRunner() {
            boolean closed;

            @Override
            public String stage() { return stage; }

            @Override
            public String backendId() { return id; }

            @Override
            public Map<String, Tensor> run(Map<String, Tensor> inputs) {
                if (closed) {
                    throw new IllegalStateException("closed");
                }
                return Map.of();
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    closes.incrementAndGet();
                }
            }
        };
    }
}

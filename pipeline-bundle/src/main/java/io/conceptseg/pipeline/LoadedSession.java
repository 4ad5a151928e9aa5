package io.conceptseg.pipeline;

import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.stage.ModelSession;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Every stage of one model loaded on one backend, shared by requests. Reference-counted: a
 * retired session (backend switched away or stopping) closes its runners only when the last
 * request that holds it has finished, so no request loses its runners mid-way.
 */
final class LoadedSession implements ModelSession {
    private final ModelPackage model;
    private final String backendId;
    private final Map<String, StageRunner> runners;
    private int users;
    private boolean retired;
    private boolean closed;
    private volatile double lastLatencyMillis = Double.NaN;

    LoadedSession(ModelPackage model, String backendId, Map<String, StageRunner> runners) {
        this.model = model;
        this.backendId = backendId;
        this.runners = Map.copyOf(runners);
    }

    @Override
    public ModelPackage model() { return model; }

    @Override
    public String backendId() { return backendId; }

    @Override
    public boolean hasStage(String stage) { return runners.containsKey(stage); }

    @Override
    public StageRunner runner(String stage) {
        StageRunner r = runners.get(stage);
        if (r == null) {
            throw new ModelPackageException(model.id() + "/" + stage, "the model has no stage '" + stage
                    + "' (it has " + runners.keySet() + ")");
        }
        return r;
    }

    /** Stage names, for status. */
    List<String> stageNames() { return runners.keySet().stream().sorted().map(s -> model.id() + "/" + s).toList(); }

    /** Takes a reference; false when the session is retired and must not be used any more. */
    synchronized boolean acquire() {
        if (retired) {
            return false;
        }
        users++;
        return true;
    }

    /** Drops a reference; closes the runners when retired and unused. */
    synchronized void release(double latencyMillis) {
        users--;
        if (!Double.isNaN(latencyMillis)) {
            lastLatencyMillis = latencyMillis;
        }
        if (retired && users == 0) {
            closeRunners();
        }
        notifyAll();
    }

    /** No new requests; closes now if unused. @return whether the runners are closed */
    synchronized boolean retire() {
        retired = true;
        if (users == 0) {
            closeRunners();
        }
        return closed;
    }

    /** Whether the runners are closed (retired and the last user gone). */
    synchronized boolean isClosed() { return closed; }

    /**
     * Retires and waits (bounded) for the requests that hold the session, so that a backend that
     * is going away can finish them before it closes its native resources.
     */
    synchronized void retireAndAwait(long timeout, TimeUnit unit) throws InterruptedException {
        retire();
        long end = System.nanoTime() + unit.toNanos(timeout);
        while (users > 0) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        closeRunners();
    }

    double lastLatencyMillis() { return lastLatencyMillis; }

    private void closeRunners() {
        if (closed) {
            return;
        }
        closed = true;
        for (StageRunner r : runners.values()) {
            try {
                r.close();
            } catch (RuntimeException e) {
                System.err.println("[conceptseg] closing " + backendId + " runner " + r.stage() + " failed: " + e);
            }
        }
    }
}

package io.conceptseg.commons.backend;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.model.ModelPackage;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The runners a backend made and has not closed yet, and whether the backend is stopped. Stopping
 * closes every runner (runs in flight finish first); a stopped backend loads nothing more, and a
 * runner made while it stopped is closed rather than kept, so a stopped bundle leaves nothing open.
 *
 * @param <R> the backend's runner type
 */
public final class OpenRunners<R extends StageRunner> {
    private final String backend;
    private final Set<R> runners = ConcurrentHashMap.newKeySet();
    private boolean stopped; // guarded by this

    /** @param backendId the backend's id, for messages ("onnx" makes "onnx backend: is stopped; ...") */
    public OpenRunners(String backendId) {
        this.backend = backendId + " backend";
    }

    /**
     * Checks that the backend may load a stage.
     *
     * @throws ConceptSegException naming the backend, the stage and the model when it is stopped
     */
    public synchronized void checkRunning(ModelPackage model, String stage) {
        if (stopped) {
            throw new ConceptSegException(backend, "is stopped; cannot load stage '" + stage + "' of model " + model.id());
        }
    }

    /**
     * Keeps a runner just made and returns it; when the backend stopped meanwhile, closes it instead.
     *
     * @throws ConceptSegException naming the backend, the stage and the model when it stopped while loading
     */
    public R add(R runner, ModelPackage model, String stage) {
        synchronized (this) {
            if (!stopped) {
                runners.add(runner);
                return runner;
            }
        }
        runner.close();
        throw new ConceptSegException(backend, "stopped while loading stage '" + stage + "' of model " + model.id());
    }

    /** Forgets a runner (a runner's on-close action). */
    public void remove(R runner) {
        runners.remove(runner);
    }

    /** Stops the backend and closes every runner it kept; in-flight runs finish first. */
    public void stop() {
        synchronized (this) {
            stopped = true;
        }
        for (R r : List.copyOf(runners)) {
            r.close();
        }
    }

    /** Whether {@link #stop} has run. */
    public synchronized boolean stopped() {
        return stopped;
    }

    /** The runners kept and not yet closed. */
    public Set<R> open() {
        return Set.copyOf(runners);
    }
}

package io.conceptseg.commons.backend;

import io.conceptseg.api.ConceptSegException;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * How every backend's stage runner is shared and closed: runs pass concurrently while it is open;
 * {@link #close} waits for the runs in flight, frees the runner's resources once, and every later
 * run fails with one message, so a request that started on a runner finishes on it.
 */
public final class RunnerGate {
    private final String where;
    private final String closedProblem;
    // read lock = a run in flight; write lock = closing
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed; // guarded by lock

    /**
     * @param stage the stage, for messages
     * @param modelId the model, for messages
     * @param runner the kind of runner, for messages ("ONNX", "TorchScript", "cpu")
     * @param backendId the backend that made it, for messages
     */
    public RunnerGate(String stage, String modelId, String runner, String backendId) {
        this.where = "stage '" + stage + "' of model " + modelId;
        this.closedProblem = "the " + runner + " runner is closed (its model was unloaded or the " + backendId
                + " backend stopped); load the stage again";
    }

    /**
     * Does one run, which closing waits for.
     *
     * @throws ConceptSegException naming the stage and the model when the runner is closed
     */
    public <T> T run(Supplier<T> work) {
        lock.readLock().lock();
        try {
            if (closed) {
                throw new ConceptSegException(where, closedProblem);
            }
            return work.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Closes: waits for the runs in flight, then runs {@code free} (once: later calls do nothing).
     *
     * @return whether this call closed it
     */
    public boolean close(Runnable free) {
        lock.writeLock().lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            free.run();
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Whether {@link #close} has run. */
    public boolean isClosed() {
        lock.readLock().lock();
        try {
            return closed;
        } finally {
            lock.readLock().unlock();
        }
    }
}

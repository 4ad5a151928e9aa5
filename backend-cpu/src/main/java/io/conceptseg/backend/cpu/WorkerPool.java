package io.conceptseg.backend.cpu;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The backend's own worker threads, {@value #THREAD_PREFIX}N (daemons), on which every kernel splits
 * its work. A parallel loop is a job of n task indices; the calling thread works on its own job
 * beside the workers (so {@code threads = 2} means the caller plus one worker, as in ONNX
 * Runtime's intra-op pool), tasks are claimed from an atomic counter, and the caller returns when
 * all have run. Workers that have just finished spin for a few microseconds before they sleep:
 * a stage is hundreds of short loops back to back, and waking a sleeping thread for each would
 * cost more than the loops on small inputs. {@link #close()} stops and joins every worker, so a
 * stopped bundle leaves no thread (and no reference to its class loader) behind.
 */
final class WorkerPool implements AutoCloseable {
    /** Name prefix of the pool's threads. */
    static final String THREAD_PREFIX = "conceptseg-cpu-";

    /**
     * Loops estimated below this many operations run on the caller alone: handing them to another
     * thread (a wake-up, a cache line or two moving between cores) costs more than it saves, and
     * on a busy machine the other thread may not even be running.
     */
    static final long SERIAL_BELOW = 200_000;

    /** How long an idle worker looks for new work before it sleeps. */
    private static final long SPIN_NANOS = 50_000;

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final int parallelism;
    private final Thread[] workers;
    private final Object lock = new Object();
    private final ArrayDeque<Job> jobs = new ArrayDeque<>(); // guarded by lock
    private volatile int posted; // bumped for every job, so that spinning workers notice new work
    private volatile boolean closed;

    /** A task of a parallel loop, given the scratch arrays of the thread that runs it. */
    interface Task {
        /** Runs task {@code i}. */
        void run(int i, Scratch scratch);
    }

    // scratch sets of the threads taking part in loops: at most one per thread running a loop at a time
    private final ConcurrentLinkedQueue<Scratch> scratches = new ConcurrentLinkedQueue<>();

    /** One parallel loop. */
    private static final class Job {
        final Task body;
        final int n;
        final Thread owner;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Job(Task body, int n, Thread owner) {
            this.body = body;
            this.n = n;
            this.owner = owner;
        }
    }

    /** A pool running loops on the caller plus {@code parallelism − 1} worker threads. */
    WorkerPool(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism " + parallelism + " < 1");
        }
        this.parallelism = parallelism;
        int id = POOLS.incrementAndGet();
        workers = new Thread[parallelism - 1];
        for (int i = 0; i < workers.length; i++) {
            Thread t = new Thread(this::work, THREAD_PREFIX + id + "-" + (i + 1));
            t.setDaemon(true);
            // the framework's context loader would otherwise be pinned by our threads
            t.setContextClassLoader(WorkerPool.class.getClassLoader());
            workers[i] = t;
            t.start();
        }
    }

    /** Number of threads a loop is split over (the caller included). */
    int parallelism() {
        return parallelism;
    }

    /**
     * Runs {@code body.accept(i)} for every i in [0, n), split over the caller and the workers, and
     * returns when all have run. The first exception of any task is rethrown here (the other tasks
     * still run).
     *
     * @throws IllegalStateException when the pool is closed
     */
    void forEach(int n, IntConsumer body) {
        forEach(n, (i, scratch) -> body.accept(i));
    }

    /** {@link #forEach(int, IntConsumer)} for tasks that use scratch arrays. */
    void forEach(int n, Task body) {
        forEach(n, Long.MAX_VALUE, body);
    }

    /** {@link #forEach(int, IntConsumer)} for a loop of about {@code cost} operations in all. */
    void forEach(int n, long cost, IntConsumer body) {
        forEach(n, cost, (i, scratch) -> body.accept(i));
    }

    /**
     * {@link #forEach(int, Task)} for a loop of about {@code cost} operations in all (multiply-adds,
     * element updates): below {@link #SERIAL_BELOW} it runs on the caller only.
     */
    void forEach(int n, long cost, Task body) {
        if (n <= 0) {
            return;
        }
        if (closed) {
            throw new IllegalStateException("the cpu backend's worker pool is closed");
        }
        if (n == 1 || workers.length == 0 || cost < SERIAL_BELOW) {
            Scratch scratch = borrow();
            try {
                for (int i = 0; i < n; i++) {
                    body.run(i, scratch);
                }
            } finally {
                scratches.add(scratch);
            }
            return;
        }
        Job job = new Job(body, n, Thread.currentThread());
        synchronized (lock) {
            jobs.addLast(job);
            posted++;
            lock.notifyAll();
        }
        runTasks(job);
        // wait for the tasks other threads claimed
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (job.done.get() < n) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 100_000);
            }
        }
        synchronized (lock) {
            jobs.remove(job); // unless a worker already dropped it: it holds the loop's arrays
        }
        Throwable failure = job.failure;
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    private void runTasks(Job job) {
        Scratch scratch = null;
        int i;
        while ((i = job.next.getAndIncrement()) < job.n) {
            if (scratch == null) {
                scratch = borrow();
            }
            try {
                job.body.run(i, scratch);
            } catch (Throwable t) {
                if (job.failure == null) {
                    job.failure = t;
                }
            }
            if (job.done.incrementAndGet() == job.n) {
                LockSupport.unpark(job.owner);
            }
        }
        if (scratch != null) {
            scratches.add(scratch);
        }
    }

    private Scratch borrow() {
        Scratch s = scratches.poll();
        return s != null ? s : new Scratch();
    }

    /** A job with unclaimed tasks, dropping exhausted ones; null when there is none. */
    private Job nextJob() {
        synchronized (lock) {
            for (Iterator<Job> it = jobs.iterator(); it.hasNext(); ) {
                Job j = it.next();
                if (j.next.get() < j.n) {
                    return j;
                }
                it.remove();
            }
            return null;
        }
    }

    private void work() {
        while (!closed) {
            Job job = nextJob();
            if (job != null) {
                runTasks(job);
                continue;
            }
            int seen = posted;
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (posted == seen && !closed && System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            }
            if (posted != seen) {
                continue;
            }
            synchronized (lock) {
                while (!closed && posted == seen) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        // only close() interrupts; the loop condition decides
                    }
                }
            }
        }
    }

    /** Stops the workers and waits (up to 10 s in all) until each has ended; drops the scratch arrays. Idempotent. */
    @Override
    public void close() {
        closed = true;
        scratches.clear();
        synchronized (lock) {
            lock.notifyAll();
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        boolean interrupted = false;
        for (Thread t : workers) {
            while (t.isAlive()) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    break;
                }
                try {
                    t.join(left);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Threads of this pool still alive (for tests and diagnostics). */
    int liveThreads() {
        int n = 0;
        for (Thread t : workers) {
            if (t.isAlive()) {
                n++;
            }
        }
        return n;
    }
}

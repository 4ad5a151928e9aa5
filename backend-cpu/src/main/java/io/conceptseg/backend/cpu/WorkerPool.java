package io.conceptseg.backend.cpu;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The backend's own worker threads: a fork/join pool of named daemon threads
 * ({@value #THREAD_PREFIX}N) on which every kernel splits its work. {@link #close()} stops the
 * pool and waits until each of its threads has ended, so that a stopped bundle leaves no thread
 * (and no reference to its class loader) behind.
 */
final class WorkerPool implements AutoCloseable {
    /** Name prefix of the pool's threads. */
    static final String THREAD_PREFIX = "conceptseg-cpu-";

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final int parallelism;
    private final ForkJoinPool pool;
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

    /** A pool of {@code parallelism} threads; with 1 all work runs on the caller's thread. */
    WorkerPool(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism " + parallelism + " < 1");
        }
        this.parallelism = parallelism;
        int poolId = POOLS.incrementAndGet();
        AtomicInteger next = new AtomicInteger();
        ForkJoinPool.ForkJoinWorkerThreadFactory factory = p -> {
            ForkJoinWorkerThread t = new ForkJoinWorkerThread(p) { };
            t.setName(THREAD_PREFIX + poolId + "-" + next.incrementAndGet());
            t.setDaemon(true);
            // the framework's context loader would otherwise be pinned by our threads
            t.setContextClassLoader(WorkerPool.class.getClassLoader());
            threads.add(t);
            return t;
        };
        // threads are started lazily by the pool and retire after idling, so an idle backend costs nothing
        this.pool = parallelism == 1 ? null : new ForkJoinPool(parallelism, factory, null, false);
    }

    /** Number of threads work is split over. */
    int parallelism() {
        return parallelism;
    }

    /**
     * Runs {@code body.accept(i)} for every i in [0, n), split over the pool, and returns when all
     * have run. An exception of any task is rethrown here (the others still finish).
     */
    void forEach(int n, IntConsumer body) {
        if (n <= 0) {
            return;
        }
        if (n == 1 || pool == null) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
            return;
        }
        Range task = new Range(body, 0, n);
        if (ForkJoinTask.getPool() == pool) {
            task.invoke(); // nested: already on one of our threads
        } else {
            pool.invoke(task);
        }
    }

    /** Splits a range in halves down to single indices (tasks are coarse: a tile, a head). */
    private static final class Range extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final transient IntConsumer body;
        private final int lo;
        private final int hi;

        Range(IntConsumer body, int lo, int hi) {
            this.body = body;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                body.accept(lo);
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Range(body, lo, mid), new Range(body, mid, hi));
        }
    }

    /** Stops the pool and waits (up to 10 s) for each of its threads to end. Idempotent. */
    @Override
    public void close() {
        if (pool == null) {
            return;
        }
        pool.shutdown();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
            for (Thread t : threads) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                t.join(Math.max(1, left));
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
        threads.removeIf(t -> !t.isAlive());
    }

    /** Threads of this pool still alive (for tests and diagnostics). */
    int liveThreads() {
        return (int) threads.stream().filter(Thread::isAlive).count();
    }
}

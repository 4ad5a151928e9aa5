package io.conceptseg.backend.cuda;

import ai.djl.engine.Engine;
import ai.djl.pytorch.engine.PtEngine;
import ai.djl.pytorch.engine.PtEngineProvider;
import io.conceptseg.api.ConceptSegException;
import java.util.function.Supplier;

/**
 * Starts DJL's PyTorch engine once per activation of this bundle and remembers the outcome: the
 * engine, or why it could not start. libtorch itself is loaded by the library bundle's class
 * loader, once per JVM; this bundle only calls into it, so it can be stopped, started and updated
 * any number of times.
 *
 * <p>Two DJL habits are switched off here. DJL downloads a missing libtorch or JNI library and
 * reports engine starts to a telemetry endpoint unless it is offline, so {@value #OFFLINE} is set
 * to true unless the user set it (or {@code DJL_OFFLINE}) explicitly. And DJL finds its engine,
 * its native jar and its properties through the thread context class loader, which in OSGi is
 * whatever the calling thread happens to have: {@link #inDjl} sets it to the library bundle's
 * loader around every call into DJL.
 */
final class TorchRuntime {
    /** DJL's offline switch (system property; environment DJL_OFFLINE wins, as in DJL). */
    static final String OFFLINE = "ai.djl.offline";

    /** The class loader that holds DJL, its resources and its native jar. */
    private static final ClassLoader DJL_LOADER = PtEngineProvider.class.getClassLoader();

    private final Supplier<Engine> starter;
    private Engine engine;
    private String failure;

    /** DJL's PyTorch engine. */
    TorchRuntime() {
        this(TorchRuntime::startPyTorch);
    }

    /** A runtime started by {@code starter} (tests simulate an engine that fails to load). */
    TorchRuntime(Supplier<Engine> starter) {
        this.starter = starter;
    }

    /**
     * The engine, starting it on first use (the first start in a JVM extracts libtorch, seconds).
     *
     * @throws ConceptSegException with the reason when the engine cannot start here
     */
    synchronized Engine engine() {
        if (engine == null && failure == null) {
            try {
                engine = inDjl(starter);
            } catch (RuntimeException | LinkageError | AssertionError e) {
                // EngineException (libtorch missing, download refused offline, JNI mismatch),
                // UnsatisfiedLinkError (a native library from another class loader or of the wrong
                // platform), AssertionError from DJL's platform detection. An engine that failed
                // in a class loader does not recover in it: keep the first reason.
                failure = describe(e);
            }
        }
        if (failure != null) {
            throw new ConceptSegException("cuda backend", "DJL PyTorch engine failed to load: " + failure);
        }
        return engine;
    }

    /** The reason the engine cannot start, or null when it started (or was not tried yet). */
    synchronized String failure() {
        return failure;
    }

    private static Engine startPyTorch() {
        if (System.getProperty(OFFLINE) == null) {
            System.setProperty(OFFLINE, "true");
        }
        // Registering the provider directly does not depend on Engine's ServiceLoader scan, which
        // runs once per JVM with whatever context class loader the first caller had.
        Engine.registerEngine(new PtEngineProvider());
        return Engine.getEngine(PtEngine.ENGINE_NAME);
    }

    /** Runs {@code work} with the thread context class loader set to DJL's. */
    static <T> T inDjl(Supplier<T> work) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(DJL_LOADER);
        try {
            return work.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** The cause chain in one line: DJL's top-level message alone is often just "failed to load". */
    static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (sb.length() > 0) {
                sb.append(" <- ");
            }
            sb.append(c.getClass().getSimpleName());
            if (c.getMessage() != null) {
                sb.append(": ").append(firstLine(c.getMessage()));
            }
        }
        return sb.toString();
    }

    /** libtorch's C++ messages carry a multi-line backtrace after the first line. */
    static String firstLine(String message) {
        String m = message.strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).strip();
    }
}

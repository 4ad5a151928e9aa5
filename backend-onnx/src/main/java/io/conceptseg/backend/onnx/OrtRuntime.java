package io.conceptseg.backend.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtLoggingLevel;
import io.conceptseg.api.ConceptSegException;
import java.util.function.Supplier;

/**
 * Starts ONNX Runtime once and remembers the outcome: the environment, or why the native library
 * could not be loaded (a failed static initialiser cannot be retried in the same class loader, so
 * the first reason is the one worth reporting).
 *
 * <p>The {@link OrtEnvironment} is a process-wide singleton of the ORT classes (here: of this
 * bundle's class loader). It is deliberately never closed: in ORT 1.23 {@code OrtEnvironment.close()}
 * is a no-op and the native environment is released by a JVM shutdown hook that ORT registers, so
 * closing it would gain nothing, while a stop/start of the bundle simply gets the same environment
 * back. What the bundle owns — sessions and their thread pools, tensors — is closed on stop.
 */
final class OrtRuntime {
    private final Supplier<OrtEnvironment> starter;
    private OrtEnvironment environment;
    private String failure;

    /** ORT's own environment, at warning level. */
    OrtRuntime() {
        this(() -> OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "conceptseg"));
    }

    /** A runtime started by {@code starter} (tests simulate a native library that fails to load). */
    OrtRuntime(Supplier<OrtEnvironment> starter) {
        this.starter = starter;
    }

    /**
     * The environment, starting ORT on first use.
     *
     * @throws ConceptSegException with the reason when ONNX Runtime cannot start here
     */
    synchronized OrtEnvironment environment() {
        if (environment == null && failure == null) {
            try {
                environment = starter.get();
            } catch (LinkageError | RuntimeException e) {
                // UnsatisfiedLinkError (missing/incompatible native library, unsupported platform),
                // ExceptionInInitializerError from ORT's static loader, IllegalStateException from
                // getEnvironment when the native environment cannot be created.
                failure = describe(e);
            }
        }
        if (failure != null) {
            throw new ConceptSegException("onnx backend", "ONNX Runtime cannot start here: " + failure);
        }
        return environment;
    }

    /** The reason ORT cannot start, or null when it started (or was not tried yet). */
    synchronized String failure() {
        return failure;
    }

    /** The cause chain in one line: the top-level message alone is often just "failed to load". */
    static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (sb.length() > 0) {
                sb.append(" <- ");
            }
            sb.append(c.getClass().getSimpleName());
            if (c.getMessage() != null) {
                sb.append(": ").append(c.getMessage());
            }
        }
        return sb.toString();
    }
}

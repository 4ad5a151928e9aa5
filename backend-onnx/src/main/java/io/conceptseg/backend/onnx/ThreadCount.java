package io.conceptseg.backend.onnx;

import io.conceptseg.api.ConceptSegException;

/**
 * The intra-op thread count of new sessions: the framework/system property
 * {@value #PROPERTY} wins over the configuration's {@code threads} (a launch flag overrides a
 * configuration file, as on a command line); without either, one thread per available processor.
 */
final class ThreadCount {
    /** Framework (or system) property that overrides the configuration. */
    static final String PROPERTY = "conceptseg.onnx.threads";

    private ThreadCount() { }

    /**
     * Resolves the count.
     *
     * @param property value of {@value #PROPERTY}, or null when unset
     * @param configured the configuration's {@code threads}; 0 means "one per processor"
     * @param processors available processors
     * @throws ConceptSegException naming the property or configuration entry when it is not a positive integer
     */
    static int resolve(String property, int configured, int processors) {
        if (property != null && !property.isBlank()) {
            int n;
            try {
                n = Integer.parseInt(property.trim());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1) {
                throw new ConceptSegException(PROPERTY, "'" + property + "' is not a positive integer (intra-op threads per session)");
            }
            return n;
        }
        if (configured < 0) {
            throw new ConceptSegException(OnnxBackend.PID + " threads",
                    configured + " is negative (a positive thread count, or 0 for one per processor)");
        }
        return configured > 0 ? configured : Math.max(1, processors);
    }
}

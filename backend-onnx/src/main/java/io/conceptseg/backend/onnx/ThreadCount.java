package io.conceptseg.backend.onnx;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.commons.config.ThreadCountSetting;

/**
 * The intra-op thread count of new sessions: the framework/system property
 * {@value #PROPERTY} wins over the configuration's {@code threads} (a launch flag overrides a
 * configuration file, as on a command line); without either, one thread per available processor.
 * Read as every backend reads it ({@link ThreadCountSetting}); what is the ONNX backend's own is
 * that a bad value is an error (the backend reports itself unavailable until it is fixed).
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
        ThreadCountSetting.Resolved r = ThreadCountSetting.resolve(property, configured, processors);
        if (r.unusable() == ThreadCountSetting.Source.PROPERTY) {
            throw new ConceptSegException(PROPERTY, "'" + property + "' is not a positive integer (intra-op threads per session)");
        }
        if (r.unusable() == ThreadCountSetting.Source.CONFIGURATION) {
            throw new ConceptSegException(OnnxBackend.PID + " threads",
                    configured + " is negative (a positive thread count, or 0 for one per processor)");
        }
        return r.threads();
    }
}

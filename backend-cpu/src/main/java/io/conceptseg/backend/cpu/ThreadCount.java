package io.conceptseg.backend.cpu;

import io.conceptseg.commons.config.ThreadCountSetting;

/**
 * The number of worker threads: the framework/system property {@value #PROPERTY} wins over the
 * configuration's {@code threads} (a launch flag overrides a configuration file, as on a command
 * line); without either, one thread per available processor. Read as every backend reads it
 * ({@link ThreadCountSetting}); what is the CPU backend's own is what it does with a bad value.
 */
final class ThreadCount {
    /** Framework (or system) property that overrides the configuration. */
    static final String PROPERTY = "conceptseg.cpu.threads";

    private ThreadCount() { }

    /**
     * The resolved count and, when a setting was unusable and the default was taken instead, why.
     *
     * @param threads the count to use
     * @param problem null, or what was wrong with the setting that was ignored
     */
    record Resolved(int threads, String problem) { }

    /**
     * Resolves the count. The CPU backend is the one that must always run, so a bad setting is
     * reported (in the availability note and the log) and replaced by one thread per processor
     * rather than making the backend unavailable.
     *
     * @param property value of {@value #PROPERTY}, or null when unset
     * @param configured the configuration's {@code threads}; 0 means "one per processor"
     * @param processors available processors
     */
    static Resolved resolve(String property, int configured, int processors) {
        ThreadCountSetting.Resolved r = ThreadCountSetting.resolve(property, configured, processors);
        if (r.unusable() == null) {
            return new Resolved(r.threads(), null);
        }
        String using = "; using " + r.threads() + " threads (one per processor)";
        return new Resolved(r.threads(), r.unusable() == ThreadCountSetting.Source.PROPERTY
                ? PROPERTY + " '" + property + "' is not a positive integer" + using
                : CpuBackend.PID + " threads = " + configured + " is negative" + using);
    }
}

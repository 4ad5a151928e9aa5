package io.conceptseg.commons.config;

/**
 * A backend's thread count, read the way every backend reads it: the framework/system property
 * wins over the configuration's {@code threads} (a launch flag overrides a configuration file, as
 * on a command line); without either, or with {@code threads = 0}, one thread per available
 * processor. What a backend does with an unusable value (refuse to run, or log and use the
 * default) is its own choice: this only says which value was unusable.
 */
public final class ThreadCountSetting {
    private ThreadCountSetting() { }

    /** Which setting held an unusable value. */
    public enum Source {
        /** The framework/system property: not a positive integer. */
        PROPERTY,
        /** The configuration's {@code threads}: negative. */
        CONFIGURATION
    }

    /**
     * The resolved count.
     *
     * @param threads the count to use: the setting's, or one per processor when the setting was unusable
     * @param unusable null, or which setting was unusable (and ignored)
     */
    public record Resolved(int threads, Source unusable) { }

    /**
     * Resolves the count.
     *
     * @param property the property's value, or null when unset (blank counts as unset)
     * @param configured the configuration's {@code threads}; 0 means "one per processor"
     * @param processors available processors
     */
    public static Resolved resolve(String property, int configured, int processors) {
        int perProcessor = Math.max(1, processors);
        if (property != null && !property.isBlank()) {
            int n;
            try {
                n = Integer.parseInt(property.trim());
            } catch (NumberFormatException e) {
                n = -1;
            }
            return n < 1 ? new Resolved(perProcessor, Source.PROPERTY) : new Resolved(n, null);
        }
        if (configured < 0) {
            return new Resolved(perProcessor, Source.CONFIGURATION);
        }
        return new Resolved(configured > 0 ? configured : perProcessor, null);
    }
}

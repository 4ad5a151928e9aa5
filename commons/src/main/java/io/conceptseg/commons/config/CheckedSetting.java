package io.conceptseg.commons.config;

import io.conceptseg.api.ConceptSegException;
import java.util.function.Supplier;

/**
 * A backend setting read from configuration that may be bad: the value in force, and the error of
 * the last configuration when it could not be used. A backend with a bad setting keeps the error
 * to report it (availability, load) until a configuration update fixes it, instead of failing
 * its activation.
 *
 * @param <T> the setting's type
 */
public final class CheckedSetting<T> {
    private volatile T value;
    private volatile ConceptSegException error;

    /** @param initial the value before any configuration is applied */
    public CheckedSetting(T initial) {
        this.value = initial;
    }

    /**
     * Applies a configuration: the value {@code resolve} gives, or, when it throws, its error
     * (logged on {@code log}; the previous value stays).
     */
    public void apply(Supplier<T> resolve, System.Logger log) {
        try {
            value = resolve.get();
            error = null;
        } catch (ConceptSegException e) {
            error = e;
            log.log(System.Logger.Level.ERROR, e.getMessage());
        }
    }

    /** The value in force. */
    public T value() {
        return value;
    }

    /** The last configuration's error, or null when it was good. */
    public ConceptSegException error() {
        return error;
    }
}

package io.conceptseg.api.backend;

/**
 * Whether a backend can run here, and if not, why (no device, native library failed, ...).
 * Backends return this instead of throwing, so the selector can show every reason.
 *
 * @param available whether it can run
 * @param reason why not (empty when available), or a note on how it runs
 */
public record Availability(boolean available, String reason) {
    /** Available. */
    public static Availability ready(String note) { return new Availability(true, note == null ? "" : note); }

    /** Unavailable, with the reason. */
    public static Availability unavailable(String reason) { return new Availability(false, reason); }
}

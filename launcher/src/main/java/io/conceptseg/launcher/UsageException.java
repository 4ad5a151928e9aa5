package io.conceptseg.launcher;

/** The process arguments cannot be understood; the launcher prints the message and exits 2. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}

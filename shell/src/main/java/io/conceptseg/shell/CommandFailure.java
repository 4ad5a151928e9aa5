package io.conceptseg.shell;

/**
 * A command could not do its job for a reason the user can act on (bad argument, pipeline not
 * running, a {@link io.conceptseg.api.ConceptSegException} from the services). Gogo's console prints
 * a failing command's exception with {@code toString()}, so this prints as one plain line,
 * without the class name; the cause stays attached for {@code $exception} and debug output.
 */
public final class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CommandFailure(String message) {
        super(message);
    }

    CommandFailure(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String toString() {
        return "error: " + getMessage();
    }
}

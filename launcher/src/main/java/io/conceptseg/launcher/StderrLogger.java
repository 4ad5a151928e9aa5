package io.conceptseg.launcher;

import org.apache.felix.framework.Logger;

/**
 * The framework's log, on stderr: Felix's default logger prints to stdout, which belongs to the
 * command's output. Stack traces only in debug mode.
 */
final class StderrLogger extends Logger {
    private final boolean debug;

    StderrLogger(boolean debug) {
        this.debug = debug;
        setLogLevel(debug ? LOG_WARNING : LOG_ERROR);
    }

    @Override
    protected void doLog(int level, String msg, Throwable throwable) {
        String kind = switch (level) {
            case LOG_ERROR -> "error";
            case LOG_WARNING -> "warning";
            case LOG_INFO -> "info";
            default -> "debug";
        };
        System.err.println("conceptseg: framework " + kind + ": " + msg);
        if (debug && throwable != null) {
            throwable.printStackTrace(System.err);
        }
    }
}

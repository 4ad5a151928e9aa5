package io.conceptseg.launcher;

import java.util.List;

/**
 * Builds the Gogo command line for one {@code cs} function from the process arguments, so that
 * every argument reaches the command as exactly one string: each is single-quoted (Gogo expands
 * nothing inside single quotes: no variables, globs, tildes, braces or escapes), and a single
 * quote inside an argument is written {@code '\''} (close, escaped quote, reopen) as in POSIX shells.
 */
public final class GogoQuoting {
    private GogoQuoting() {
    }

    /** One argument, quoted for Gogo. */
    public static String quote(String argument) {
        return "'" + argument.replace("'", "'\\''") + "'";
    }

    /** {@code cs:<function> 'arg1' 'arg2' ...}. */
    public static String commandLine(String scope, String function, List<String> arguments) {
        StringBuilder line = new StringBuilder(scope).append(':').append(function);
        for (String argument : arguments) {
            line.append(' ').append(quote(argument));
        }
        return line.toString();
    }
}

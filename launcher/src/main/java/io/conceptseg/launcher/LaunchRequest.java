package io.conceptseg.launcher;

import java.io.File;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the user asked for on the command line: launcher options (before the command), the command,
 * and the command's own arguments, passed on untouched.
 *
 * @param help print the usage and exit
 * @param command the {@code cs} function to run, {@value #SHELL} for the console, or null
 * @param arguments the command's arguments, verbatim
 * @param modelDirs model package folders from {@code --model-dir} and {@code CONCEPTSEG_MODEL_DIR}, absolute
 * @param waitSeconds how long the runner waits for the command's services
 * @param timeoutSeconds overall limit of a non-interactive run
 * @param debug stack traces and framework diagnostics
 * @param dist the distribution folder (holding {@code bundles/}), or null when not given
 */
public record LaunchRequest(boolean help, String command, List<String> arguments, List<Path> modelDirs,
        long waitSeconds, long timeoutSeconds, boolean debug, Path dist) {
    /** The command that opens the interactive Gogo console instead of running one command. */
    public static final String SHELL = "shell";
    static final long DEFAULT_WAIT_SECONDS = 30;
    static final long DEFAULT_TIMEOUT_SECONDS = 3600;
    static final String MODEL_DIR_ENV = "CONCEPTSEG_MODEL_DIR";
    private static final Pattern COMMAND_NAME = Pattern.compile("[a-z][a-z0-9_-]*");

    /** Copies lists. */
    public LaunchRequest {
        arguments = List.copyOf(arguments);
        modelDirs = List.copyOf(modelDirs);
    }

    /** Whether this run opens the console. */
    public boolean interactive() {
        return SHELL.equals(command);
    }

    /**
     * Parses the process arguments; {@code env} supplies {@value #MODEL_DIR_ENV}, {@code properties}
     * the {@code conceptseg.debug} and {@code conceptseg.dist} system properties.
     */
    static LaunchRequest parse(List<String> args, Map<String, String> env, Map<String, String> properties) throws UsageException {
        boolean help = false;
        boolean debug = Boolean.parseBoolean(properties.get("conceptseg.debug"));
        long wait = DEFAULT_WAIT_SECONDS;
        long timeout = DEFAULT_TIMEOUT_SECONDS;
        Path dist = properties.get("conceptseg.dist") == null ? null : path("conceptseg.dist", properties.get("conceptseg.dist"));
        List<Path> modelDirs = new ArrayList<>();
        String command = null;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (command != null) {
                // "conceptseg eval --help" asks for the usage, not for a data set folder named --help
                if (a.equals("-h") || a.equals("--help")) {
                    help = true;
                } else {
                    rest.add(a);
                }
                continue;
            }
            String name = a.contains("=") && a.startsWith("--") ? a.substring(0, a.indexOf('=')) : a;
            String inline = name.equals(a) ? null : a.substring(a.indexOf('=') + 1);
            switch (name) {
                case "-h", "--help", "help" -> help = true;
                case "--debug" -> debug = true;
                case "--model-dir" -> {
                    String v = inline != null ? inline : value(args, ++i, a);
                    modelDirs.add(path("--model-dir", v));
                }
                case "--wait" -> wait = seconds("--wait", inline != null ? inline : value(args, ++i, a), 0);
                case "--timeout" -> timeout = seconds("--timeout", inline != null ? inline : value(args, ++i, a), 1);
                case "--dist" -> dist = path("--dist", inline != null ? inline : value(args, ++i, a));
                default -> {
                    if (a.startsWith("-")) {
                        throw new UsageException("unknown option " + a + " (launcher options go before the command; see --help)");
                    }
                    if (!COMMAND_NAME.matcher(a).matches()) {
                        throw new UsageException("not a command: " + a + " (see --help)");
                    }
                    command = a;
                }
            }
        }
        String fromEnv = env.get(MODEL_DIR_ENV);
        if (fromEnv != null) {
            for (String part : fromEnv.split(Pattern.quote(File.pathSeparator))) {
                if (!part.isBlank()) {
                    modelDirs.add(path(MODEL_DIR_ENV, part.strip()));
                }
            }
        }
        if (!help && command == null) {
            throw new UsageException("no command given (see --help)");
        }
        return new LaunchRequest(help, command, rest, modelDirs, wait, timeout, debug, dist);
    }

    private static String value(List<String> args, int i, String option) throws UsageException {
        if (i >= args.size()) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(i);
    }

    private static long seconds(String option, String value, long min) throws UsageException {
        try {
            long s = Long.parseLong(value.strip());
            if (s < min) {
                throw new UsageException(option + " " + value + ": must be at least " + min + " seconds");
            }
            return s;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " " + value + ": not a whole number of seconds");
        }
    }

    private static Path path(String option, String value) throws UsageException {
        try {
            return Paths.get(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new UsageException(option + " " + value + ": not a valid path");
        }
    }

    /** The model folders as the framework property value: absolute paths joined by the path separator. */
    String modelDirsProperty() {
        List<String> parts = new ArrayList<>();
        modelDirs.forEach(p -> parts.add(p.toString()));
        return String.join(File.pathSeparator, parts);
    }
}

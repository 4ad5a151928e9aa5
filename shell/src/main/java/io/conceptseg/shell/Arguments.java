package io.conceptseg.shell;

import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.SegmentOptions;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the strings Gogo hands to a command into typed values. Options arrive as strings ("" when
 * absent) so that a bad value gets a message naming the option, not Gogo's generic
 * "Cannot coerce".
 */
final class Arguments {
    /** What Gogo passes for an option that was not given (the @Parameter absentValue). */
    static final String ABSENT = "";

    private Arguments() {
    }

    static boolean given(String option) {
        return option != null && !option.isEmpty();
    }

    /** A file or folder argument, resolved against the working directory of the process. */
    static Path path(String what, String value) {
        if (!given(value)) {
            throw new InvalidInputException(what, "is required");
        }
        try {
            return Paths.get(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new InvalidInputException(what + " " + value, "not a valid path: " + e.getReason());
        }
    }

    /** An optional path: null when the option was not given. */
    static Path optionalPath(String what, String value) {
        return given(value) ? path(what, value) : null;
    }

    /** A score threshold in [0, 1], or null when not given. */
    static Double threshold(String value) {
        if (!given(value)) {
            return null;
        }
        double t;
        try {
            t = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("--threshold " + value, "not a number; give a score in [0, 1] such as 0.5");
        }
        if (!(t >= 0 && t <= 1)) {
            throw new InvalidInputException("--threshold " + value, "the score threshold must lie in [0, 1]");
        }
        return t;
    }

    /** A whole number of at least {@code min}. */
    static int count(String option, String value, int min) {
        int n;
        try {
            n = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(option + " " + value, "not a whole number");
        }
        if (n < min) {
            throw new InvalidInputException(option + " " + value, "must be at least " + min);
        }
        return n;
    }

    /** The per-request options; blank strings mean "default". */
    static SegmentOptions options(String threshold, String backend, String model) {
        return new SegmentOptions(threshold(threshold), given(backend) ? backend : null, given(model) ? model : null);
    }

    /** The --backends list: ids separated by commas; "all" (or nothing) means every available backend. */
    static List<String> backendList(String value) {
        List<String> ids = new ArrayList<>();
        for (String id : value.split(",")) {
            if (!id.isBlank()) {
                ids.add(id.strip());
            }
        }
        if (ids.equals(List.of("all"))) {
            return List.of();
        }
        if (ids.contains("all")) {
            throw new InvalidInputException("--backends " + value, "all stands alone; or name the backends, e.g. onnx,cpu");
        }
        return ids;
    }

    /** The phrases of a request: at least one, none blank, in the order given. */
    static List<String> phrases(String[] phrases) {
        if (phrases == null || phrases.length == 0) {
            throw new InvalidInputException("phrase", "give at least one concept phrase after the image, e.g. washer \"rust spot\"");
        }
        List<String> out = new ArrayList<>(phrases.length);
        for (String p : phrases) {
            if (p == null || p.isBlank()) {
                throw new InvalidInputException("phrase \"" + (p == null ? "" : p) + "\"", "the phrase is empty; give a noun phrase such as \"rust spot\"");
            }
            out.add(p.strip());
        }
        return out;
    }
}

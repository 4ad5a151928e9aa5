package io.conceptseg.api;

/**
 * Base of every error ConceptSeg reports. The message always names the input at fault and the
 * problem, so that a user reading one line knows what to fix.
 */
public class ConceptSegException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String input;
    private final String problem;

    /** @param input what was wrong (a file, a phrase, a stage); @param problem what is wrong with it */
    public ConceptSegException(String input, String problem) {
        this(input, problem, null);
    }

    /** Same, keeping the underlying cause. */
    public ConceptSegException(String input, String problem, Throwable cause) {
        super(input + ": " + problem, cause);
        this.input = input;
        this.problem = problem;
    }

    /** The input at fault (file path, phrase, stage name, bundle). */
    public String input() { return input; }

    /** What is wrong with the input. */
    public String problem() { return problem; }
}

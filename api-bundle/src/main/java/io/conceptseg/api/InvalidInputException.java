package io.conceptseg.api;

/** A request's input (image, phrase, box, data set entry) cannot be used. Nothing else is affected. */
public class InvalidInputException extends ConceptSegException {
    private static final long serialVersionUID = 1L;

    /** @param input the offending input; @param problem why it cannot be used */
    public InvalidInputException(String input, String problem) { super(input, problem); }

    /** Same, keeping the underlying cause. */
    public InvalidInputException(String input, String problem, Throwable cause) { super(input, problem, cause); }
}

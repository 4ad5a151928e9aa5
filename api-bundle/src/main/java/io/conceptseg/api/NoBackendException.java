package io.conceptseg.api;

/** No inference backend can run the request: none is started, or the named one is unavailable. */
public class NoBackendException extends ConceptSegException {
    private static final long serialVersionUID = 1L;

    /** @param backend the backend asked for ("auto" when none was named); @param problem why none runs */
    public NoBackendException(String backend, String problem) { super("backend " + backend, problem); }
}

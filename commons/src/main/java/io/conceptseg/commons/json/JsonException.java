package io.conceptseg.commons.json;

/** Malformed JSON, with where and what was expected. */
public class JsonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message where and what */
    public JsonException(String message) { super(message); }
}

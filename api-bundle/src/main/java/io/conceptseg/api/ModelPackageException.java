package io.conceptseg.api;

/** A model package is missing, incomplete or corrupt (model.json, tokenizer, weights or a stage file). */
public class ModelPackageException extends ConceptSegException {
    private static final long serialVersionUID = 1L;

    /** @param file the package file at fault; @param problem what is wrong with it */
    public ModelPackageException(String file, String problem) { super(file, problem); }

    /** Same, keeping the underlying cause. */
    public ModelPackageException(String file, String problem, Throwable cause) { super(file, problem, cause); }
}

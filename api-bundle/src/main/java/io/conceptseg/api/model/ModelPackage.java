package io.conceptseg.api.model;

import io.conceptseg.api.ModelPackageException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model package on disk: a folder with model.json, tokenizer, weights, per-stage ONNX and
 * TorchScript files and fixtures (see docs/model-package.md).
 */
public interface ModelPackage {
    /** The model id from model.json. */
    default String id() { return descriptor().id(); }

    /** The package folder. */
    Path root();

    /** The parsed model.json. */
    ModelDescriptor descriptor();

    /** Where the package came from (a folder, or a bundle's symbolic name), for messages. */
    String origin();

    /**
     * A file of the package, checked to exist.
     *
     * @throws ModelPackageException naming the file when it is missing
     */
    default Path file(String relative) {
        if (relative == null) {
            throw new ModelPackageException(root().toString(), "model.json names no such file");
        }
        Path p = root().resolve(relative).normalize();
        if (!p.startsWith(root().normalize())) {
            throw new ModelPackageException(relative, "path leaves the model package");
        }
        if (!Files.isRegularFile(p)) {
            throw new ModelPackageException(p.toString(), "missing from model package " + id());
        }
        return p;
    }
}

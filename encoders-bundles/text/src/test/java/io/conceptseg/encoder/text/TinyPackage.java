package io.conceptseg.encoder.text;

import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.commons.model.ModelPackages;
import java.nio.file.Files;
import java.nio.file.Path;

/** The committed tiny model package (model-inspection/packages/inspection-tiny). */
final class TinyPackage {
    private TinyPackage() { }

    static Path root() {
        String root = System.getProperty("conceptseg.root");
        Path repo = root != null ? Path.of(root) : Path.of("../..");
        Path p = repo.resolve("model-inspection/packages/inspection-tiny");
        if (!Files.isRegularFile(p.resolve("model.json"))) {
            throw new IllegalStateException("the tiny model package is missing at " + p.toAbsolutePath());
        }
        return p;
    }

    static ModelPackage open() {
        return ModelPackages.open(root(), "test");
    }
}

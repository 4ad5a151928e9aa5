package io.conceptseg.commons.testing;

import io.conceptseg.api.model.ModelDescriptor;
import io.conceptseg.api.model.ModelPackage;
import java.nio.file.Path;

/** A model package made by hand: a descriptor and a folder, which need not hold any file. Origin "test". */
public final class FakePackage implements ModelPackage {
    private final Path root;
    private final ModelDescriptor descriptor;

    /**
     * @param root the package folder ({@link ModelPackage#file} looks there)
     * @param descriptor the model.json it stands for
     */
    public FakePackage(Path root, ModelDescriptor descriptor) {
        this.root = root;
        this.descriptor = descriptor;
    }

    @Override
    public Path root() { return root; }

    @Override
    public ModelDescriptor descriptor() { return descriptor; }

    @Override
    public String origin() { return "test"; }
}

package io.conceptseg.backend.cpu;

import io.conceptseg.api.backend.DType;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.commons.model.ModelPackages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

/** The repository's inspection-tiny package and helpers to compare tensors and damage copies. */
final class TestPackages {
    private TestPackages() { }

    /** model-inspection/packages/inspection-tiny under the repository root (system property conceptseg.root). */
    static Path tinyRoot() {
        String root = System.getProperty("conceptseg.root");
        Path base = root != null ? Paths.get(root) : Paths.get("..").toAbsolutePath().normalize();
        return base.resolve("model-inspection/packages/inspection-tiny");
    }

    /** The tiny package; its absence is a failure, not a reason to skip (it is part of the repository). */
    static ModelPackage tiny() {
        return ModelPackages.open(tinyRoot(), "model-inspection/packages/inspection-tiny");
    }

    /** Copies a package folder (to damage the copy). */
    static Path copy(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The largest absolute difference between two tensors of the same dtype and size (NaN counts as infinite). */
    static double maxAbsError(Tensor expected, Tensor actual) {
        double max = 0;
        if (expected.dtype() == DType.FLOAT32) {
            float[] e = expected.floats();
            float[] a = actual.floats();
            for (int i = 0; i < e.length; i++) {
                double d = Math.abs((double) e[i] - a[i]);
                if (Double.isNaN(d)) {
                    return Double.POSITIVE_INFINITY;
                }
                max = Math.max(max, d);
            }
        } else {
            long[] e = expected.longs();
            long[] a = actual.longs();
            for (int i = 0; i < e.length; i++) {
                max = Math.max(max, Math.abs((double) e[i] - a[i]));
            }
        }
        return max;
    }
}

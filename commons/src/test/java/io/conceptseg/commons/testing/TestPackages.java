package io.conceptseg.commons.testing;

import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.commons.model.ModelPackages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The model packages tests load: the repository's inspection-tiny package and packages among a
 * module's test resources, and copies of them to damage.
 */
public final class TestPackages {
    /** Where inspection-tiny lies under the repository root; also the origin tests open it with. */
    public static final String INSPECTION_TINY = "model-inspection/packages/inspection-tiny";

    private TestPackages() { }

    /**
     * The repository root: the system property {@code conceptseg.root} (the parent pom's surefire
     * configuration sets it), else the nearest folder above the working directory that holds
     * model-inspection (a test started from an IDE in a module folder).
     */
    public static Path repositoryRoot() {
        String root = System.getProperty("conceptseg.root");
        if (root != null) {
            return Path.of(root);
        }
        Path cwd = Path.of("").toAbsolutePath();
        for (Path p = cwd; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("model-inspection"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root above " + cwd + " (set the system property conceptseg.root)");
    }

    /** model-inspection/packages/inspection-tiny under the repository root. */
    public static Path inspectionTinyRoot() {
        return repositoryRoot().resolve(INSPECTION_TINY);
    }

    /** The inspection-tiny package; its absence is a failure, not a reason to skip (it is part of the repository). */
    public static ModelPackage inspectionTiny() {
        return ModelPackages.open(inspectionTinyRoot(), INSPECTION_TINY);
    }

    /**
     * The folder of a package among the test resources of {@code anchor}'s module, e.g.
     * {@code "/toy-package"} for src/test/resources/toy-package.
     */
    public static Path resourcePackageRoot(Class<?> anchor, String folder) {
        URL modelJson = anchor.getResource(folder + "/model.json");
        if (modelJson == null) {
            throw new IllegalStateException("no " + folder + "/model.json among the test resources of " + anchor.getName());
        }
        try {
            return Path.of(modelJson.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The package among the test resources of {@code anchor}'s module in {@code folder}, e.g. "/toy-package". */
    public static ModelPackage resourcePackage(Class<?> anchor, String folder) {
        return ModelPackages.open(resourcePackageRoot(anchor, folder), folder.replaceFirst("^/", "") + " (test resources)");
    }

    /**
     * Every package under model-inspection/packages other than inspection-tiny (the trained ones
     * the bundle can embed), as repository-relative origins, sorted.
     */
    public static List<String> trainedPackages() {
        Path dir = repositoryRoot().resolve("model-inspection/packages");
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> Files.isRegularFile(p.resolve("model.json")))
                    .map(p -> "model-inspection/packages/" + p.getFileName())
                    .filter(origin -> !origin.equals(INSPECTION_TINY)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A package under the repository root by its repository-relative folder. */
    public static ModelPackage inRepository(String origin) {
        return ModelPackages.open(repositoryRoot().resolve(origin), origin);
    }

    /** Copies a package folder (to damage the copy); returns {@code to}. */
    public static Path copy(Path from, Path to) {
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
}

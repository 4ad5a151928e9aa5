package io.conceptseg.pipeline;

import io.conceptseg.api.ModelPackageException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import org.osgi.framework.Bundle;

/**
 * Copies a model package carried inside a bundle (header {@code ConceptSeg-Model: <folder>}) into
 * a folder, because ORT, DJL and the memory-mapped weights reader all want plain files.
 */
final class ModelBundleExtractor {
    /** The manifest header naming the package folder inside a model bundle. */
    static final String HEADER = "ConceptSeg-Model";

    private ModelBundleExtractor() { }

    /**
     * Extracts once per bundle version and modification; a marker file records a finished copy so
     * an interrupted extraction is redone rather than used half-written.
     */
    static Path extract(Bundle bundle, String folder, Path target) {
        String prefix = folder.replaceAll("^/+|/+$", "");
        Path done = target.resolve(".extracted-" + bundle.getVersion() + "-" + bundle.getLastModified());
        if (Files.exists(done)) {
            return target;
        }
        Enumeration<URL> entries = bundle.findEntries(prefix, "*", true);
        if (entries == null) {
            throw new ModelPackageException(bundle.getSymbolicName() + "!/" + prefix,
                    "the bundle's " + HEADER + " header names a folder that is not in the bundle");
        }
        try {
            deleteTree(target);
            Files.createDirectories(target);
            while (entries.hasMoreElements()) {
                URL url = entries.nextElement();
                String path = url.getPath();
                int at = path.indexOf(prefix + "/");
                if (at < 0 || path.endsWith("/")) {
                    continue;
                }
                Path out = target.resolve(path.substring(at + prefix.length() + 1)).normalize();
                if (!out.startsWith(target)) {
                    continue;
                }
                Files.createDirectories(out.getParent());
                try (InputStream in = url.openStream()) {
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.createFile(done);
            return target;
        } catch (IOException e) {
            throw new ModelPackageException(bundle.getSymbolicName() + "!/" + prefix, "cannot extract: " + e.getMessage(), e);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}

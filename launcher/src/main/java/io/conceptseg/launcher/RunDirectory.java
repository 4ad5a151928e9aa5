package io.conceptseg.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;

/**
 * The framework's storage for one run: {@code <cache>/conceptseg/run-<pid>}, created empty and
 * deleted on exit, so that parallel runs never share a bundle cache and nothing stale is reused.
 * Folders left by killed runs (their process is gone) are removed on the next start.
 */
final class RunDirectory {
    private RunDirectory() {
    }

    /** {@code $XDG_CACHE_HOME/conceptseg}, else {@code ~/.cache/conceptseg}, else the temp folder. */
    static Path base(String xdgCacheHome, String userHome, String tmpDir, String user) {
        if (xdgCacheHome != null && !xdgCacheHome.isBlank()) {
            return Path.of(xdgCacheHome, "conceptseg");
        }
        if (userHome != null && !userHome.isBlank() && Files.isWritable(Path.of(userHome))) {
            return Path.of(userHome, ".cache", "conceptseg");
        }
        return Path.of(tmpDir, "conceptseg-" + user);
    }

    /** Creates this process's run folder, first removing folders of runs whose process is gone. */
    static Path create(Path base) throws IOException {
        Files.createDirectories(base);
        removeStale(base);
        Path dir = base.resolve("run-" + ProcessHandle.current().pid());
        delete(dir);
        return Files.createDirectories(dir);
    }

    static void removeStale(Path base) {
        try (Stream<Path> runs = Files.list(base)) {
            runs.filter(p -> p.getFileName().toString().matches("run-\\d+")).forEach(p -> {
                long pid = Long.parseLong(p.getFileName().toString().substring(4));
                if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
                    delete(p);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // another run may be cleaning up at the same time; stale folders only cost disk space
        }
    }

    /** Deletes a folder tree; best effort. */
    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // best effort: a leftover folder is removed by a later run
        }
    }
}

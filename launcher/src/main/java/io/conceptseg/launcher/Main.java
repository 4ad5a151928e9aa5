package io.conceptseg.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code conceptseg [OPTIONS] COMMAND [ARGS...]}: runs one ConceptSeg command in an embedded Felix
 * framework and exits with its status, or opens the Gogo console for {@code shell}. See {@link Help}.
 */
public final class Main {
    /** Held so the level sticks: JUL keeps loggers weakly. */
    private static final java.util.logging.Logger JLINE_LOG = java.util.logging.Logger.getLogger("org.jline");

    private Main() {
    }

    /** Entry point; always ends the process, with the command's exit status. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        // AWT (ImageIO's PNG writer, overlays) must never try to open a display
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        PrintStream stderr = System.err;
        LaunchRequest request;
        try {
            Map<String, String> props = new HashMap<>();
            for (String key : new String[] {"conceptseg.debug", "conceptseg.dist"}) {
                if (System.getProperty(key) != null) {
                    props.put(key, System.getProperty(key));
                }
            }
            request = LaunchRequest.parse(Arrays.asList(args), System.getenv(), props);
        } catch (UsageException e) {
            stderr.println("conceptseg: " + e.getMessage());
            return Launcher.USAGE;
        }
        if (request.help()) {
            System.out.print(Help.TEXT);
            return Launcher.OK;
        }
        Path dist = request.dist();
        if (dist == null || !Files.isDirectory(dist.resolve("bundles"))) {
            stderr.println("conceptseg: the distribution is not built" + (dist == null ? "" : " (" + dist + "/bundles is missing)")
                    + "; build it with: mvn -q install -DskipTests");
            return Launcher.NOT_READY;
        }
        if (!request.debug()) {
            // JLine warns on stderr when stdin is not a terminal (piped console input); that is expected
            JLINE_LOG.setLevel(java.util.logging.Level.SEVERE);
        }
        PrintStream filtered = Launcher.filteredStderr(stderr, request.debug());
        System.setErr(filtered);
        Launcher launcher = new Launcher(request, filtered);
        try {
            return launcher.run(dist);
        } catch (IOException | org.osgi.framework.BundleException | RuntimeException e) {
            filtered.println("conceptseg: cannot start the framework: " + e.getMessage());
            if (request.debug()) {
                e.printStackTrace(filtered);
            }
            return Launcher.NOT_READY;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Launcher.TIMED_OUT;
        } finally {
            launcher.stop();
            System.out.flush();
            filtered.flush();
        }
    }
}

package io.conceptseg.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import java.util.stream.Stream;
import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.startlevel.BundleStartLevel;

/**
 * Starts Felix embedded with the distribution's bundles and either runs one {@code cs} command
 * (handed to the shell bundle's command runner through framework properties) or opens the Gogo
 * console; stops the framework and removes its storage in every case.
 */
final class Launcher {
    /** The runner reports this before it runs the command, then the exit status. */
    static final int RUNNING = -1;
    static final int OK = 0, USAGE = 2, NOT_READY = 3, TIMED_OUT = 124;
    /** Time for the runner to report that it started, beyond its own wait for services. */
    static final long RUNNER_START_GRACE_SECONDS = 15;
    static final long STOP_TIMEOUT_MILLIS = 15_000;

    private final LaunchRequest request;
    private final PrintStream err;
    private final CompletableFuture<Integer> status = new CompletableFuture<>();
    private final CompletableFuture<Boolean> running = new CompletableFuture<>();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private Felix framework;
    private Path runDir;

    Launcher(LaunchRequest request, PrintStream err) {
        this.request = request;
        this.err = err;
    }

    /** The framework configuration: storage, logging to stderr, and the command for the runner. */
    Map<String, Object> configuration(Path storage, Path dist) {
        Map<String, Object> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put("felix.log.logger", new StderrLogger(request.debug()));
        config.put("felix.log.level", request.debug() ? "2" : "1");
        config.put("ds.loglevel", request.debug() ? "warn" : "error");
        config.put("gosh.home", dist.toString());
        // every rank of StartOrder has its own start level, so that stopping runs in reverse:
        // the shell first, then the pipeline and backends, then the framework services
        config.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, String.valueOf(StartOrder.LEVELS));
        config.put("conceptseg.debug", String.valueOf(request.debug()));
        if (!request.modelDirs().isEmpty()) {
            config.put("conceptseg.model.dirs", request.modelDirsProperty());
        }
        if (!request.interactive()) {
            config.put("conceptseg.command", request.command());
            config.put("conceptseg.command.line", GogoQuoting.commandLine("cs", request.command(), request.arguments()));
            config.put("conceptseg.wait.seconds", String.valueOf(request.waitSeconds()));
        }
        return config;
    }

    /** Runs the request; returns the process exit status. */
    int run(Path dist) throws IOException, BundleException, InterruptedException {
        Path bundlesDir = dist.resolve("bundles");
        List<Path> jars = jars(bundlesDir);
        Path base = RunDirectory.base(System.getenv("XDG_CACHE_HOME"), System.getProperty("user.home"),
                System.getProperty("java.io.tmpdir"), System.getProperty("user.name"));
        runDir = RunDirectory.create(base);
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "conceptseg shutdown"));

        Map<String, Object> config = configuration(runDir.resolve("felix"), dist);
        // ConfigAdmin keeps its store outside the per-run storage, so that choices made with
        // `backend ID` (and other configuration) survive from one run to the next
        config.put("felix.cm.dir", base.resolve("config").toString());
        framework = new Felix(config);
        framework.init();
        BundleContext context = framework.getBundleContext();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("conceptseg.launcher", "exit");
        context.registerService(IntConsumer.class, this::report, props);
        List<Bundle> bundles = new ArrayList<>();
        for (Path jar : jars) {
            bundles.add(context.installBundle("reference:" + jar.toUri()));
        }
        for (String essential : List.of(StartOrder.SCR_BUNDLE, StartOrder.SHELL_BUNDLE)) {
            if (bundles.stream().noneMatch(b -> essential.equals(b.getSymbolicName()))) {
                err.println("conceptseg: " + bundlesDir + " has no bundle " + essential
                        + "; rebuild the distribution with: mvn -q install -DskipTests");
                return NOT_READY;
            }
        }
        framework.start();
        int failed = startAll(bundles);
        if (failed != OK) {
            return failed;
        }
        if (request.interactive()) {
            framework.waitForStop(0);
            return OK;
        }
        return awaitStatus();
    }

    private static List<Path> jars(Path bundlesDir) throws IOException {
        if (!Files.isDirectory(bundlesDir)) {
            throw new IOException(bundlesDir + ": no bundles folder; build the distribution with: mvn -q install -DskipTests");
        }
        try (Stream<Path> files = Files.list(bundlesDir)) {
            List<Path> jars = files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
            if (jars.isEmpty()) {
                throw new IOException(bundlesDir + ": holds no bundle; build the distribution with: mvn -q install -DskipTests");
            }
            return jars;
        }
    }

    /** Starts the bundles in {@link StartOrder}; a failing bundle is one warning line, unless nothing can work without it. */
    private int startAll(List<Bundle> bundles) {
        List<Bundle> ordered = new ArrayList<>(bundles);
        ordered.removeIf(b -> b.getHeaders().get(Constants.FRAGMENT_HOST) != null
                || StartOrder.rank(b.getSymbolicName(), request.interactive()) == StartOrder.NEVER);
        ordered.sort(Comparator.comparingInt((Bundle b) -> StartOrder.rank(b.getSymbolicName(), request.interactive()))
                .thenComparing(Bundle::getSymbolicName));
        for (Bundle b : ordered) {
            try {
                b.adapt(BundleStartLevel.class).setStartLevel(StartOrder.level(b.getSymbolicName(), request.interactive()));
                b.start();
            } catch (BundleException | RuntimeException e) {
                String name = b.getSymbolicName();
                boolean essential = name.equals(StartOrder.SHELL_BUNDLE) || name.equals(StartOrder.SCR_BUNDLE);
                err.println("conceptseg: " + (essential ? "" : "warning: ") + "bundle " + name + " did not start: " + e.getMessage());
                if (request.debug()) {
                    e.printStackTrace(err);
                }
                if (essential && !request.interactive()) {
                    return NOT_READY;
                }
            }
        }
        return OK;
    }

    private void report(int code) {
        if (code == RUNNING) {
            running.complete(true);
        } else {
            running.complete(true);
            status.complete(code);
        }
    }

    private int awaitStatus() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(request.timeoutSeconds());
        long startLimit = Math.min(request.timeoutSeconds(), request.waitSeconds() + RUNNER_START_GRACE_SECONDS);
        try {
            running.get(startLimit, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            err.println("conceptseg: the command runner did not start within " + startLimit
                    + " s (bundles io.conceptseg.shell and org.apache.felix.scr must be active; try --debug)");
            return NOT_READY;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        try {
            return status.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            err.println("conceptseg: " + request.command() + " did not finish within " + request.timeoutSeconds()
                    + " s; stopping (raise the limit with --timeout SECONDS)");
            return TIMED_OUT;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops the framework (bounded) and removes its storage; safe to call twice (exit and shutdown hook). */
    void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        Felix f = framework;
        if (f != null && (f.getState() & (Bundle.STARTING | Bundle.ACTIVE)) != 0) {
            try {
                f.stop();
                FrameworkEvent event = f.waitForStop(STOP_TIMEOUT_MILLIS);
                if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                    err.println("conceptseg: warning: the framework did not stop within "
                            + STOP_TIMEOUT_MILLIS / 1000 + " s; exiting anyway");
                }
            } catch (BundleException | InterruptedException | RuntimeException e) {
                err.println("conceptseg: warning: stopping the framework failed: " + e.getMessage());
            }
        }
        if (runDir != null) {
            RunDirectory.delete(runDir);
        }
        err.flush();
    }

    /** Wraps stderr so that stack-trace frames printed by bundles are hidden unless debugging. */
    static PrintStream filteredStderr(PrintStream stderr, boolean debug) {
        if (debug) {
            return stderr;
        }
        return new PrintStream(new StackTraceFilter(stderr), true);
    }
}

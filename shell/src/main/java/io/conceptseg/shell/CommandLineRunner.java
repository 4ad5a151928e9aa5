package io.conceptseg.shell;

import io.conceptseg.api.ConceptSegException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.util.Collection;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Runs one {@code cs} command non-interactively when the launcher asks for it through framework
 * properties, then reports the exit status back to the launcher.
 *
 * <p>The launcher sets {@value #COMMAND} (the function, e.g. {@code segment}) and
 * {@value #COMMAND_LINE} (the whole Gogo line, each argument quoted) and registers an
 * {@link IntConsumer} service with {@code conceptseg.launcher=exit} that receives {@value #RUNNING}
 * when the command starts (so the launcher knows the runner is alive) and then the exit status.
 * Without those properties (the interactive shell) this component does nothing.
 *
 * <p>The runner waits, bounded by {@value #WAIT_SECONDS}, until Gogo, the command and the services
 * it needs are registered, so start order does not matter; it prints the result on stdout and
 * one error line on stderr (a stack trace only with {@code conceptseg.debug=true}).
 */
@Component(immediate = true)
public class CommandLineRunner {
    static final String COMMAND = "conceptseg.command";
    static final String COMMAND_LINE = "conceptseg.command.line";
    static final String WAIT_SECONDS = "conceptseg.wait.seconds";
    static final String DEBUG = "conceptseg.debug";
    static final String EXIT_SERVICE_FILTER = "(conceptseg.launcher=exit)";
    static final int DEFAULT_WAIT_SECONDS = 30;
    /** How long a function nobody registers may take to appear before it counts as unknown. */
    static final long UNKNOWN_GRACE_MILLIS = 2000;

    /** Exit statuses, also documented in the launcher's help. */
    static final int OK = 0, FAILED = 1, USAGE = 2, NOT_READY = 3;
    /** Reported to the launcher before the command runs; never an exit status. */
    static final int RUNNING = -1;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile CommandProcessor processor;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile ConceptSegCommands commands;

    private BundleContext context;
    private Thread thread;

    @Activate
    void activate(BundleContext context) {
        this.context = context;
        String function = context.getProperty(COMMAND);
        String line = context.getProperty(COMMAND_LINE);
        if (function == null || line == null) {
            return;
        }
        boolean debug = Boolean.parseBoolean(context.getProperty(DEBUG));
        long waitMillis = TimeUnit.SECONDS.toMillis(parseWait(context.getProperty(WAIT_SECONDS)));
        thread = new Thread(() -> report(runCommand(function, line, waitMillis, debug)), "conceptseg command line");
        thread.setDaemon(true);
        thread.start();
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        Thread t = thread;
        thread = null;
        if (t != null) {
            t.interrupt();
            t.join(2000);
        }
    }

    static long parseWait(String value) {
        try {
            return value == null ? DEFAULT_WAIT_SECONDS : Math.max(0, Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            return DEFAULT_WAIT_SECONDS;
        }
    }

    /** Waits until the command can run, runs it, prints; returns the exit status. */
    int runCommand(String function, String line, long waitMillis, boolean debug) {
        try {
            Blocker blocker = awaitReady(function, waitMillis);
            if (blocker != null) {
                System.err.println("conceptseg: " + blocker.reason());
                return blocker.unknownCommand() ? USAGE : NOT_READY;
            }
            report(RUNNING);
            return execute(processor, function, line, debug, () -> thread == null);
        } catch (InterruptedException e) {
            System.err.println("conceptseg: " + function + " interrupted: the framework is stopping");
            return FAILED;
        }
    }

    /** Why a command cannot run; an unknown command is a usage error, anything else "not ready". */
    record Blocker(String reason, boolean unknownCommand) {
    }

    /** Null when ready, else what still blocks the command after the wait. */
    Blocker awaitReady(String function, long waitMillis) throws InterruptedException {
        long start = System.nanoTime();
        while (true) {
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            Blocker blocker = blocker(function, elapsed);
            if (blocker == null || blocker.unknownCommand()) {
                return blocker;
            }
            if (elapsed >= waitMillis) {
                return new Blocker(blocker.reason() + " (waited " + TimeUnit.MILLISECONDS.toSeconds(waitMillis)
                        + " s; raise with --wait SECONDS)", false);
            }
            Thread.sleep(20);
        }
    }

    private Blocker blocker(String function, long elapsedMillis) {
        CommandProcessor p = processor;
        if (p == null) {
            return new Blocker("the Gogo runtime is not running (bundle org.apache.felix.gogo.runtime)", false);
        }
        Collection<String> functions = gogoFunctions(p);
        if (!functions.contains(function)) {
            if (elapsedMillis >= UNKNOWN_GRACE_MILLIS) {
                return new Blocker("unknown command '" + function + "'; the commands are: " + String.join(", ", functions), true);
            }
            return new Blocker("command cs:" + function + " is not registered", false);
        }
        if (!ConceptSegCommands.FUNCTIONS.contains(function)) {
            return null;
        }
        ConceptSegCommands c = commands;
        if (c == null) {
            return new Blocker("the cs commands component is not active (bundle io.conceptseg.shell)", false);
        }
        String missing = c.missingService(function);
        return missing == null ? null : new Blocker(ConceptSegCommands.notRunning(missing), false);
    }

    /**
     * The functions of scope cs that Gogo itself knows (its own command table, not the service
     * registry: Gogo adds a command slightly after the service is registered).
     */
    static Collection<String> gogoFunctions(CommandProcessor processor) {
        TreeSet<String> names = new TreeSet<>();
        try (CommandSession session = processor.createSession(InputStream.nullInputStream(), System.out, System.err)) {
            Object commands = session.get(".commands");
            if (commands instanceof Collection) {
                String prefix = ConceptSegCommands.SCOPE + ":";
                for (Object name : (Collection<?>) commands) {
                    String n = String.valueOf(name);
                    if (n.startsWith(prefix)) {
                        names.add(n.substring(prefix.length()));
                    }
                }
            }
        }
        return names;
    }

    /** Runs one Gogo line and prints its result; returns the exit status. Also used by tests. */
    static int execute(CommandProcessor processor, String function, String line, boolean debug, BooleanSupplier stopping) {
        PrintStream out = root(System.out);
        PrintStream err = root(System.err);
        CommandSession session = processor.createSession(System.in, out, err);
        try {
            Object result = session.execute(line);
            if (result != null) {
                out.println(session.format(result, Converter.INSPECT));
            }
            out.flush();
            return OK;
        } catch (Exception e) {
            int status = FAILED;
            if (stopping.getAsBoolean()) {
                // the launcher stopped the framework (timeout, Ctrl-C) and has said why; whatever
                // the command failed with now is a consequence, not the cause
                err.println("conceptseg: " + function + " stopped: the framework is shutting down");
            } else if (e instanceof CommandFailure || e instanceof ConceptSegException) {
                err.println("conceptseg: error: " + e.getMessage());
            } else if (isArgumentMismatch(e)) {
                err.println("conceptseg: wrong arguments for " + function + "; usage: conceptseg " + Usage.of(function));
                status = USAGE;
            } else {
                // Gogo rethrows a command's exceptions but wraps its errors (StackOverflowError, OutOfMemoryError)
                Throwable shown = e instanceof InvocationTargetException && e.getCause() != null ? e.getCause() : e;
                err.println("conceptseg: error: " + shown.getClass().getSimpleName() + ": " + shown.getMessage()
                        + (debug ? "" : " (run with --debug for the stack trace)"));
            }
            if (debug) {
                e.printStackTrace(err);
            }
            return status;
        } finally {
            out.flush();
            err.flush();
            session.close();
        }
    }

    /**
     * The process stream behind Gogo's per-thread System.out/err. A session must be given the real
     * stream: given the per-thread one, whatever a command prints to System.err (progress) would
     * be routed back into itself until the stack overflows.
     */
    static PrintStream root(PrintStream stream) {
        try {
            Object root = stream.getClass().getMethod("getRoot").invoke(stream);
            return root instanceof PrintStream ? (PrintStream) root : stream;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return stream;
        }
    }

    /**
     * Whether Gogo could not map the arguments onto the command: "Cannot coerce ..." when no
     * method takes them, "Command not found" when a command that exists gets no argument at all
     * (the runner has checked that the function is registered).
     */
    static boolean isArgumentMismatch(Exception e) {
        String message = String.valueOf(e.getMessage());
        return (e instanceof IllegalArgumentException && message.startsWith("Cannot coerce"))
                || e.getClass().getSimpleName().equals("CommandNotFoundException");
    }

    private void report(int status) {
        System.out.flush();
        System.err.flush();
        BundleContext ctx = context;
        if (ctx == null) {
            return;
        }
        try {
            Collection<ServiceReference<IntConsumer>> refs = ctx.getServiceReferences(IntConsumer.class, EXIT_SERVICE_FILTER);
            if (!refs.isEmpty()) {
                ServiceReference<IntConsumer> ref = refs.iterator().next();
                IntConsumer exit = ctx.getService(ref);
                if (exit != null) {
                    try {
                        exit.accept(status);
                    } finally {
                        ctx.ungetService(ref);
                    }
                    return;
                }
            }
            // No launcher listening (another launcher set the properties): stop rather than hang.
            if (status != RUNNING) {
                ctx.getBundle(0).stop();
            }
        } catch (InvalidSyntaxException | BundleException | IllegalStateException e) {
            // the framework is already stopping; nothing left to report to
        }
    }
}

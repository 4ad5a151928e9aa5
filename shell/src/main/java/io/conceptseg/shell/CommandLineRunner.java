package io.conceptseg.shell;

import io.conceptseg.api.ConceptSegException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Collection;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
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
            return execute(processor, function, line, debug);
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
        if (processor == null) {
            return new Blocker("the Gogo runtime is not running (bundle org.apache.felix.gogo.runtime)", false);
        }
        Collection<String> functions = registeredFunctions();
        if (!functions.contains(function)) {
            if (elapsedMillis >= UNKNOWN_GRACE_MILLIS) {
                return new Blocker("unknown command '" + function + "'; the commands are: " + String.join(", ", functions), true);
            }
            return new Blocker("command cs:" + function + " is not registered", false);
        }
        ConceptSegCommands c = commands;
        String missing = c == null ? null : c.missingService(function);
        return missing == null ? null : new Blocker(ConceptSegCommands.notRunning(missing), false);
    }

    private Collection<String> registeredFunctions() {
        TreeSet<String> names = new TreeSet<>();
        try {
            ServiceReference<?>[] refs = context.getServiceReferences((String) null,
                    "(" + CommandProcessor.COMMAND_SCOPE + "=" + ConceptSegCommands.SCOPE + ")");
            for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
                Object f = ref.getProperty(CommandProcessor.COMMAND_FUNCTION);
                if (f instanceof String[]) {
                    names.addAll(Arrays.asList((String[]) f));
                } else if (f instanceof Collection) {
                    ((Collection<?>) f).forEach(x -> names.add(String.valueOf(x)));
                } else if (f != null) {
                    names.add(f.toString());
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return names;
    }

    /** Runs one Gogo line and prints its result; returns the exit status. Also used by tests. */
    static int execute(CommandProcessor processor, String function, String line, boolean debug) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        CommandSession session = processor.createSession(System.in, out, err);
        try {
            Object result = session.execute(line);
            if (result != null) {
                out.println(session.format(result, Converter.INSPECT));
            }
            out.flush();
            return OK;
        } catch (CommandFailure | ConceptSegException e) {
            err.println("conceptseg: error: " + e.getMessage());
            trace(e, debug, err);
            return FAILED;
        } catch (IllegalArgumentException e) {
            if (String.valueOf(e.getMessage()).startsWith("Cannot coerce")) {
                err.println("conceptseg: wrong arguments for " + function + "; usage: conceptseg " + Usage.of(function));
                trace(e, debug, err);
                return USAGE;
            }
            return unexpected(e, debug, err);
        } catch (Exception e) {
            return unexpected(e, debug, err);
        } finally {
            out.flush();
            err.flush();
            session.close();
        }
    }

    private static int unexpected(Exception e, boolean debug, PrintStream err) {
        err.println("conceptseg: error: " + e.getClass().getSimpleName() + ": " + e.getMessage()
                + (debug ? "" : " (for the stack trace, run with -Dconceptseg.debug=true)"));
        trace(e, debug, err);
        return FAILED;
    }

    private static void trace(Throwable e, boolean debug, PrintStream err) {
        if (debug) {
            e.printStackTrace(err);
        }
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

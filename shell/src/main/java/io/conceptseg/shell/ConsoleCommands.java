package io.conceptseg.shell;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * {@code exit} for the console ({@code cs:exit}; the console profile puts scope cs first).
 * The framework is stopped from a short-lived thread after the command has returned: stopping it
 * from the console's own thread would interrupt that thread in the middle of the command, and the
 * console would print the InterruptedException.
 */
@Component(service = ConsoleCommands.class, property = {
        "osgi.command.scope=cs",
        "osgi.command.function=exit"})
public class ConsoleCommands {
    /** Lets the console print the command's result and go back to reading before the stop begins. */
    static final long DELAY_MILLIS = 100;
    private BundleContext context;

    @Activate
    void activate(BundleContext context) {
        this.context = context;
    }

    @Descriptor("stop the framework and leave the console (Ctrl-D does the same)")
    public String exit() {
        BundleContext ctx = context;
        Thread stopper = new Thread(() -> {
            try {
                Thread.sleep(DELAY_MILLIS);
                ctx.getBundle(0).stop();
            } catch (InterruptedException | BundleException | IllegalStateException e) {
                // already stopping
            }
        }, "conceptseg exit");
        stopper.setDaemon(true);
        stopper.start();
        return "stopping the framework";
    }
}

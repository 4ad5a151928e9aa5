package io.conceptseg.itests;

import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/** Finding and cycling the framework's bundles by symbolic name. */
final class Bundles {
    /** The hot-deployable backend bundles (the DJL library bundle is never cycled: libtorch loads once per JVM). */
    static final List<String> BACKENDS = List.of("io.conceptseg.backend.onnx", "io.conceptseg.backend.cpu", "io.conceptseg.backend.cuda");

    private Bundles() { }

    static Bundle bundle(BundleContext context, String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        StringBuilder all = new StringBuilder();
        for (Bundle b : context.getBundles()) {
            all.append(' ').append(b.getSymbolicName()).append('=').append(b.getState()).append('@').append(b.getLocation());
        }
        throw new AssertionError(bsn + " not installed; bundles:" + all);
    }

    /** Stops the named bundles; returns those that were active, to start again. */
    static List<Bundle> stop(BundleContext context, List<String> bsns) throws BundleException {
        List<Bundle> stopped = new ArrayList<>();
        for (String bsn : bsns) {
            Bundle b = bundle(context, bsn);
            if (b.getState() == Bundle.ACTIVE) {
                b.stop();
                stopped.add(b);
            }
        }
        return stopped;
    }

    static void start(List<Bundle> bundles) throws BundleException {
        for (Bundle b : bundles) {
            b.start();
        }
    }
}

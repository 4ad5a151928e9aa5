package io.conceptseg.pipeline;

import io.conceptseg.api.NoBackendException;
import io.conceptseg.api.backend.Availability;
import io.conceptseg.api.backend.BackendSelector;
import io.conceptseg.api.backend.BackendStatus;
import io.conceptseg.api.backend.InferenceBackend;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.model.ModelPackage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Tracks the backends that are registered (dynamically: they come and go with their bundles),
 * picks one per request ("auto" = highest priority available, or a named one) and keeps one
 * {@link LoadedSession} per (backend, model).
 */
@Component(service = {BackendSelector.class, SessionProvider.class}, immediate = true,
        configurationPid = BackendSessions.PID)
public class BackendSessions implements BackendSelector, SessionProvider {
    /** ConfigAdmin PID holding the user's choice ({@code selection}), so it survives restarts. */
    public static final String PID = "io.conceptseg.pipeline.backend";
    /** How long a departing backend may keep serving requests already running on it. */
    private static final long DRAIN_SECONDS = 10;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ConfigurationAdmin configAdmin;

    private final Map<String, InferenceBackend> backends = new ConcurrentHashMap<>();
    private final Map<String, LoadedSession> sessions = new ConcurrentHashMap<>();
    // Sessions a switch retired while requests still held them: if their backend then leaves, its
    // removal must wait for those requests too, not only for the sessions still in the map.
    private final Set<LoadedSession> retiredInUse = ConcurrentHashMap.newKeySet();
    private volatile String selection = AUTO;

    @Activate
    void activate(BundleContext context, Map<String, Object> config) {
        // a stored choice wins over the framework property, which only seeds a fresh installation
        Object stored = config.get("selection");
        String initial = stored != null ? stored.toString() : context.getProperty("conceptseg.backend");
        if (initial != null && !initial.isBlank()) {
            selection = initial.strip();
        }
    }

    @Modified
    void modified(Map<String, Object> config) {
        Object stored = config.get("selection");
        if (stored != null && !stored.toString().isBlank()) {
            selection = stored.toString().strip();
        }
    }

    @Deactivate
    void deactivate() {
        sessions.values().forEach(LoadedSession::retire);
        sessions.clear();
        retiredInUse.clear();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addBackend(InferenceBackend backend) {
        backends.put(backend.id(), backend);
    }

    void removeBackend(InferenceBackend backend) {
        if (!backends.remove(backend.id(), backend)) {
            return;
        }
        boolean wasActive = false;
        List<LoadedSession> leaving = new ArrayList<>();
        for (Map.Entry<String, LoadedSession> e : List.copyOf(sessions.entrySet())) {
            if (e.getValue().backendId().equals(backend.id()) && sessions.remove(e.getKey(), e.getValue())) {
                wasActive = true;
                leaving.add(e.getValue());
            }
        }
        for (LoadedSession s : List.copyOf(retiredInUse)) {
            if (s.backendId().equals(backend.id()) && retiredInUse.remove(s)) {
                leaving.add(s);
            }
        }
        for (LoadedSession s : leaving) {
            try {
                s.retireAndAwait(DRAIN_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        if (wasActive) {
            String next;
            try {
                next = resolve(null).id();
            } catch (NoBackendException ex) {
                next = "none (" + ex.problem() + ")";
            }
            System.err.println("[conceptseg] backend " + backend.id() + " went away; new requests go to " + next);
        }
    }

    @Override
    public List<BackendStatus> backends() {
        String active;
        try {
            active = resolve(null).id();
        } catch (NoBackendException e) {
            active = null;
        }
        List<BackendStatus> out = new ArrayList<>();
        for (InferenceBackend b : byPriority()) {
            List<String> stages = new ArrayList<>();
            double last = Double.NaN;
            for (LoadedSession s : sessions.values()) {
                if (s.backendId().equals(b.id())) {
                    stages.addAll(s.stageNames());
                    if (!Double.isNaN(s.lastLatencyMillis())) {
                        last = s.lastLatencyMillis();
                    }
                }
            }
            out.add(new BackendStatus(b.id(), b.priority(), safeAvailability(b), b.devices(), b.id().equals(active), stages, last));
        }
        return out;
    }

    @Override
    public String selection() { return selection; }

    @Override
    public void select(String idOrAuto) {
        String choice = idOrAuto == null || idOrAuto.isBlank() ? AUTO : idOrAuto.strip();
        InferenceBackend chosen = resolve(choice);
        // Load the new backend's stages for every model in use before the old ones go, so the
        // first request after a switch does not pay for loading and a failing load changes nothing.
        List<LoadedSession> old = sessions.values().stream().filter(s -> !s.backendId().equals(chosen.id())).toList();
        for (LoadedSession s : old) {
            acquire(s.model(), chosen.id()).release(Double.NaN);
        }
        selection = choice;
        store(choice);
        // Sessions on other backends are no longer needed by new requests; in-flight ones keep them.
        for (Map.Entry<String, LoadedSession> e : List.copyOf(sessions.entrySet())) {
            if (!e.getValue().backendId().equals(chosen.id()) && sessions.remove(e.getKey(), e.getValue())) {
                retire(e.getValue());
            }
        }
    }

    /** Retires a session; one still in use is remembered until it closes, for removeBackend to drain. */
    private void retire(LoadedSession session) {
        retiredInUse.removeIf(LoadedSession::isClosed);
        if (!session.retire()) {
            retiredInUse.add(session);
        }
    }

    private void store(String choice) {
        ConfigurationAdmin cm = configAdmin;
        if (cm == null) {
            return;
        }
        try {
            Configuration c = cm.getConfiguration(PID, "?");
            Dictionary<String, Object> props = c.getProperties() != null ? c.getProperties() : new Hashtable<>();
            props.put("selection", choice);
            c.updateIfDifferent(props);
        } catch (IOException e) {
            System.err.println("[conceptseg] could not store the backend choice: " + e.getMessage());
        }
    }

    @Override
    public LoadedSession acquire(ModelPackage model, String backendId) {
        while (true) {
            InferenceBackend backend = resolve(backendId);
            String key = backend.id() + '\u0000' + model.id() + '\u0000' + model.root();
            LoadedSession session;
            try {
                session = sessions.computeIfAbsent(key, k -> load(model, backend));
            } catch (RuntimeException e) {
                if (backends.get(backend.id()) != backend) {
                    continue; // the backend left while loading: resolve again, as a new request would
                }
                throw e;
            }
            if (backends.get(backend.id()) != backend) {
                // loaded while the backend was leaving: its removal may have missed this session
                if (sessions.remove(key, session)) {
                    session.retire();
                }
                continue;
            }
            if (session.acquire()) {
                return session;
            }
            sessions.remove(key, session);
        }
    }

    private static LoadedSession load(ModelPackage model, InferenceBackend backend) {
        Map<String, StageRunner> runners = new LinkedHashMap<>();
        try {
            for (String stage : model.descriptor().stages().keySet()) {
                runners.put(stage, backend.load(model, stage));
            }
        } catch (RuntimeException e) {
            runners.values().forEach(StageRunner::close);
            throw e;
        }
        return new LoadedSession(model, backend.id(), runners);
    }

    /** The backend for a request: the named one, or by the current selection. */
    InferenceBackend resolve(String requested) {
        String choice = requested == null ? selection : requested;
        if (AUTO.equals(choice)) {
            List<String> reasons = new ArrayList<>();
            for (InferenceBackend b : byPriority()) {
                Availability a = safeAvailability(b);
                if (a.available()) {
                    return b;
                }
                reasons.add(b.id() + ": " + a.reason());
            }
            throw new NoBackendException(AUTO, backends.isEmpty()
                    ? "no inference backend is running; install and start a backend bundle (cpu, onnx or cuda)"
                    : "no backend is available (" + String.join("; ", reasons) + ")");
        }
        InferenceBackend b = backends.get(choice);
        if (b == null) {
            throw new NoBackendException(choice, "is not running; running backends: "
                    + (backends.isEmpty() ? "none" : String.join(", ", backends.keySet())));
        }
        Availability a = safeAvailability(b);
        if (!a.available()) {
            throw new NoBackendException(choice, "is unavailable: " + a.reason());
        }
        return b;
    }

    private List<InferenceBackend> byPriority() {
        return backends.values().stream()
                .sorted(Comparator.comparingInt(InferenceBackend::priority).reversed().thenComparing(InferenceBackend::id))
                .toList();
    }

    private static Availability safeAvailability(InferenceBackend b) {
        try {
            return b.availability();
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("availability check failed: " + e);
        }
    }
}

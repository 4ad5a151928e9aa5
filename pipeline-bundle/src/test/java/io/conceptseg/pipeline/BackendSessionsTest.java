package io.conceptseg.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.NoBackendException;
import io.conceptseg.api.backend.Availability;
import io.conceptseg.api.backend.BackendStatus;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.commons.model.ModelPackages;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class BackendSessionsTest {
    static final Path TINY = Path.of(System.getProperty("conceptseg.root", "..")).resolve("model-inspection/packages/inspection-tiny");

    static ModelPackage tiny() { return ModelPackages.open(TINY, "test"); }

    /** Sessions over these backends, added in order. */
    private static BackendSessions sessionsWith(FakeBackend... backends) {
        BackendSessions s = new BackendSessions();
        for (FakeBackend b : backends) {
            s.addBackend(b);
        }
        return s;
    }

    /** Removes the backend on another thread (removal blocks while requests drain); {@code removed} opens when it returns. */
    private static Thread removeInBackground(BackendSessions s, FakeBackend backend, CountDownLatch removed) {
        Thread stopper = new Thread(() -> {
            s.removeBackend(backend);
            removed.countDown();
        });
        stopper.start();
        return stopper;
    }

    @Test
    void autoPicksHighestAvailablePriorityAndListsReasons() {
        FakeBackend cpu = new FakeBackend("cpu", 100);
        FakeBackend cuda = new FakeBackend("cuda", 300);
        cuda.availability = Availability.unavailable("no CUDA device");
        BackendSessions s = sessionsWith(cpu, cuda);
        assertEquals("cpu", s.resolve(null).id());
        List<BackendStatus> st = s.backends();
        assertEquals("cuda", st.get(0).id());
        assertFalse(st.get(0).active());
        assertEquals("no CUDA device", st.get(0).availability().reason());
        assertTrue(st.get(1).active());
        cpu.availability = Availability.unavailable("broken");
        NoBackendException e = assertThrows(NoBackendException.class, () -> s.resolve(null));
        assertTrue(e.getMessage().contains("cuda: no CUDA device") && e.getMessage().contains("cpu: broken"), e.getMessage());
    }

    @Test
    void noBackendIsOneClearError() {
        BackendSessions s = new BackendSessions();
        NoBackendException e = assertThrows(NoBackendException.class, () -> s.acquire(tiny(), null));
        assertTrue(e.getMessage().contains("no inference backend is running"), e.getMessage());
        e = assertThrows(NoBackendException.class, () -> s.select("onnx"));
        assertTrue(e.getMessage().contains("onnx") && e.getMessage().contains("not running"), e.getMessage());
        assertEquals("auto", s.selection());
    }

    @Test
    void sessionIsSharedAndClosedWhenBackendLeaves() {
        BackendSessions s = new BackendSessions();
        FakeBackend onnx = new FakeBackend("onnx", 200);
        s.addBackend(onnx);
        ModelPackage m = tiny();
        int stages = m.descriptor().stages().size();
        LoadedSession a = s.acquire(m, null);
        LoadedSession b = s.acquire(m, null);
        assertTrue(a == b);
        assertEquals(stages, onnx.loads.get());
        a.release(1.0);
        b.release(2.0);
        assertEquals(2.0, s.backends().get(0).lastLatencyMillis());
        s.removeBackend(onnx);
        assertEquals(stages, onnx.closes.get());
        assertThrows(NoBackendException.class, () -> s.acquire(m, null));
    }

    @Test
    void requestInFlightKeepsItsRunnersUntilItEnds() throws Exception {
        FakeBackend onnx = new FakeBackend("onnx", 200);
        FakeBackend cpu = new FakeBackend("cpu", 100);
        BackendSessions s = sessionsWith(onnx, cpu);
        ModelPackage m = tiny();
        LoadedSession inFlight = s.acquire(m, null);
        assertEquals("onnx", inFlight.backendId());
        CountDownLatch removed = new CountDownLatch(1);
        Thread stopper = removeInBackground(s, onnx, removed);
        Thread.sleep(200);
        // the departing backend waits for the request; its runners still work
        assertEquals(1, removed.getCount());
        assertEquals(0, onnx.closes.get());
        inFlight.runner("vision").run(java.util.Map.of());
        assertEquals("cpu", s.resolve(null).id());
        inFlight.release(5.0);
        stopper.join(5000);
        assertEquals(0, removed.getCount());
        assertEquals(m.descriptor().stages().size(), onnx.closes.get());
    }

    @Test
    void aSessionSwitchedAwayFromStillDrainsWhenItsBackendLeaves() throws Exception {
        // a request holds the onnx session; a switch to cpu retires it (it stays open for the
        // request); then onnx stops: its removal must wait for that request as well
        FakeBackend onnx = new FakeBackend("onnx", 200);
        FakeBackend cpu = new FakeBackend("cpu", 100);
        BackendSessions s = sessionsWith(onnx, cpu);
        ModelPackage m = tiny();
        LoadedSession inFlight = s.acquire(m, null);
        s.select("cpu");
        assertEquals(0, onnx.closes.get());
        CountDownLatch removed = new CountDownLatch(1);
        Thread stopper = removeInBackground(s, onnx, removed);
        Thread.sleep(200);
        assertEquals(1, removed.getCount());
        assertEquals(0, onnx.closes.get());
        inFlight.runner("decoder").run(java.util.Map.of());
        inFlight.release(5.0);
        stopper.join(5000);
        assertEquals(0, removed.getCount());
        assertEquals(m.descriptor().stages().size(), onnx.closes.get());
    }

    @Test
    void selectRoutesNewRequestsAndRetiresOthers() {
        FakeBackend onnx = new FakeBackend("onnx", 200);
        FakeBackend cpu = new FakeBackend("cpu", 100);
        BackendSessions s = sessionsWith(onnx, cpu);
        ModelPackage m = tiny();
        s.acquire(m, null).release(1);
        s.select("cpu");
        assertEquals("cpu", s.selection());
        assertEquals(m.descriptor().stages().size(), onnx.closes.get());
        LoadedSession c = s.acquire(m, null);
        assertEquals("cpu", c.backendId());
        c.release(1);
        cpu.availability = Availability.unavailable("gone");
        NoBackendException e = assertThrows(NoBackendException.class, () -> s.acquire(m, null));
        assertTrue(e.getMessage().contains("gone"));
        s.select("auto");
        assertEquals("onnx", s.resolve(null).id());
    }
}

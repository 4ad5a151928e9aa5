package io.conceptseg.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.backend.Availability;
import io.conceptseg.api.backend.InferenceBackend;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.commons.model.ModelPackages;
import io.conceptseg.commons.testing.FixtureCheck;
import io.conceptseg.commons.testing.TestPackages;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The two bundles in a real Felix framework with Felix SCR: the library bundle resolves and DJL
 * logs through its private slf4j binding (no SPI Fly); the backend service reports no CUDA with the
 * reason; switched to the CPU it reproduces the fixtures; and the thin bundle survives stop/start
 * and update/refresh cycles, closing its runners each time, while libtorch stays loaded in the
 * library bundle. One framework per JVM (libtorch can be loaded by one class loader per JVM), so
 * the steps run in order on one framework.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CudaBackendOsgiIT {
    private static final List<LogRecord> DJL_LOG = new CopyOnWriteArrayList<>();
    private static final Handler DJL_HANDLER = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLoggerName() != null && r.getLoggerName().startsWith("ai.djl")) {
                DJL_LOG.add(r);
            }
        }

        @Override
        public void flush() { }

        @Override
        public void close() { }
    };

    private static Framework framework;
    private static Bundle library;
    private static Bundle thin;
    private static ServiceTracker<InferenceBackend, InferenceBackend> backends;

    @BeforeAll
    static void startFramework() throws Exception {
        Logger.getLogger("").addHandler(DJL_HANDLER);
        System.clearProperty(TorchDevice.PROPERTY);
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, System.getProperty("conceptseg.cuda.it.storage", "target/it-felix-cache"));
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // the test and the bundles must share the API classes: the system bundle exports them
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, apiExports());
        framework = new FrameworkFactory().newFramework(config);
        framework.start();
        BundleContext ctx = framework.getBundleContext();
        List<Bundle> bundles = new ArrayList<>();
        for (String artifact : List.of("org.osgi.util.function-", "org.osgi.util.promise-", "org.osgi.service.component-",
                "org.apache.felix.scr-")) {
            bundles.add(ctx.installBundle(jarOnClasspath(artifact).toUri().toString()));
        }
        library = ctx.installBundle(jarOnClasspath("io.conceptseg.backend.cuda.djl-").toUri().toString());
        bundles.add(library);
        Path thinJar = Paths.get(System.getProperty("conceptseg.cuda.it.bundle"));
        thin = ctx.installBundle(thinJar.toUri().toString());
        bundles.add(thin);
        backends = new ServiceTracker<>(ctx, InferenceBackend.class, null);
        backends.open();
        for (Bundle b : bundles) {
            b.start();
        }
    }

    @AfterAll
    static void stopFramework() throws Exception {
        if (backends != null) {
            backends.close();
        }
        if (framework != null) {
            framework.stop();
            assertEquals(FrameworkEvent.STOPPED, framework.waitForStop(30_000).getType());
        }
        Logger.getLogger("").removeHandler(DJL_HANDLER);
        System.clearProperty(TorchDevice.PROPERTY);
    }

    /** The API bundle's Export-Package header, read from its manifest on the test class path (jar or classes folder). */
    private static String apiExports() throws IOException {
        Path where = Paths.get(URI.create(InferenceBackend.class.getProtectionDomain().getCodeSource().getLocation().toString()));
        Manifest manifest;
        if (Files.isDirectory(where)) {
            try (InputStream in = Files.newInputStream(where.resolve("META-INF/MANIFEST.MF"))) {
                manifest = new Manifest(in);
            }
        } else {
            try (JarFile jar = new JarFile(where.toFile())) {
                manifest = jar.getManifest();
            }
        }
        String exports = manifest.getMainAttributes().getValue(Constants.EXPORT_PACKAGE);
        assertNotNull(exports, "no Export-Package in the API bundle's manifest at " + where);
        return exports;
    }

    /** The jar of an artifact on the test class path (Maven resolved it, from the reactor or the local repository). */
    private static Path jarOnClasspath(String artifactPrefix) {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Paths.get(entry);
            if (p.getFileName().toString().startsWith(artifactPrefix) && entry.endsWith(".jar")) {
                return p;
            }
        }
        throw new IllegalStateException(artifactPrefix + "*.jar is not on the test class path");
    }

    /**
     * The cuda backend service, waiting for SCR to register it. The tracker stays open, as a
     * consumer's reference would: the component is delayed, so SCR deactivates it (closing its
     * runners) when its last user lets go.
     */
    private static InferenceBackend cuda() throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            for (InferenceBackend b : backends.getTracked().values()) {
                if ("cuda".equals(b.id())) {
                    return b;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no cuda InferenceBackend service within 30 s; thin bundle state " + thin.getState());
    }

    private static ModelPackage tiny() {
        return ModelPackages.open(TestPackages.inspectionTinyRoot(), "inspection-tiny");
    }

    /** Runs the text stage of inspection-tiny on the backend and checks it against the fixture. */
    private static StageRunner loadAndCheckText(InferenceBackend backend) {
        ModelPackage tiny = tiny();
        StageRunner r = backend.load(tiny, "text");
        FixtureCheck.assertReproduces(tiny, r, tiny.descriptor().tolerance().get("torchscript"));
        return r;
    }

    private static void refresh(Bundle b) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        framework.adapt(FrameworkWiring.class).refreshBundles(List.of(b), e -> done.countDown());
        assertTrue(done.await(30, TimeUnit.SECONDS), "refresh did not finish");
    }

    @Test
    @Order(1)
    void bothBundlesResolveAndStartWithoutSpiFly() {
        assertEquals(Bundle.ACTIVE, library.getState(), "library bundle");
        assertEquals(Bundle.ACTIVE, thin.getState(), "thin bundle");
        assertEquals("io.conceptseg.backend.cuda.djl", library.getSymbolicName());
        assertEquals("io.conceptseg.backend.cuda", thin.getSymbolicName());
        assertTrue(Arrays.stream(framework.getBundleContext().getBundles())
                .noneMatch(b -> b.getSymbolicName().contains("spifly")), "no SPI Fly installed");
    }

    @Test
    @Order(2)
    void onDeviceCudaItIsAvailableOnlyOnACudaHostAndOtherwiseSaysWhy() throws Exception {
        InferenceBackend backend = cuda();
        assertEquals(300, backend.priority());
        Availability a = backend.availability();
        System.out.println("[osgi] cuda availability (device=cuda): " + a);
        if (CudaHost.configured()) {
            assertTrue(a.available(), a.reason());
            assertEquals(List.of("cuda:0"), backend.devices());
            loadAndCheckText(backend).close();
        } else {
            assertFalse(a.available());
            assertTrue(a.reason().startsWith("no CUDA device: "), a.reason());
            assertEquals(List.of(), backend.devices());
            assertThrows(ConceptSegException.class, () -> backend.load(tiny(), "text"));
        }
    }

    @Test
    @Order(3)
    void theSystemPropertySwitchesToTheCpuOnRestartAndTheFixturesMatch() throws Exception {
        System.setProperty(TorchDevice.PROPERTY, "cpu");
        thin.stop();
        thin.start();
        InferenceBackend backend = cuda();
        Availability a = backend.availability();
        System.out.println("[osgi] cuda availability (device=cpu): " + a);
        assertTrue(a.available(), a.reason());
        assertTrue(a.reason().startsWith("running on CPU (device=cpu)"), a.reason());
        assertEquals(List.of("cpu"), backend.devices());
        ModelPackage tiny = tiny();
        for (String stage : List.of("vision", "text", "geometry", "fusion", "decoder")) {
            try (StageRunner r = backend.load(tiny, stage)) {
                FixtureCheck.assertReproduces(tiny, r, tiny.descriptor().tolerance().get("torchscript"));
            }
        }
        // (the engine has started by now)
        // DJL logged through slf4j -> java.util.logging from inside the library bundle
        assertTrue(DJL_LOG.stream().anyMatch(r -> r.getLoggerName().startsWith("ai.djl.pytorch")),
                "no DJL log record reached java.util.logging: " + DJL_LOG.size() + " records");
        System.out.println("[osgi] DJL log records via slf4j-jdk14: " + DJL_LOG.size() + ", e.g. "
                + DJL_LOG.get(DJL_LOG.size() - 1).getMessage());
    }

    @Test
    @Order(4)
    void stopStartAndUpdateRepeatedlyInOneJvm() throws Exception {
        StageRunner warm = loadAndCheckText(cuda());
        warm.close();
        Set<Thread> threadsBefore = new HashSet<>(Thread.getAllStackTraces().keySet());
        BundleWiring libraryWiring = library.adapt(BundleWiring.class);
        Map<String, Tensor> in = FixtureCheck.inputs(tiny(), "text");
        long t0 = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            StageRunner held = loadAndCheckText(cuda());
            thin.stop();
            ConceptSegException closed = assertThrows(ConceptSegException.class, () -> held.run(in));
            assertTrue(closed.getMessage().contains("the TorchScript runner is closed"), closed.getMessage());
            thin.start();
        }
        for (int i = 0; i < 3; i++) {
            StageRunner held = loadAndCheckText(cuda());
            try (InputStream jar = Files.newInputStream(Paths.get(System.getProperty("conceptseg.cuda.it.bundle")))) {
                thin.update(jar);
            }
            refresh(thin);
            assertEquals(Bundle.ACTIVE, thin.getState());
            ConceptSegException closed = assertThrows(ConceptSegException.class, () -> held.run(in));
            assertTrue(closed.getMessage().contains("the TorchScript runner is closed"), closed.getMessage());
        }
        StageRunner last = loadAndCheckText(cuda());
        last.close();
        System.out.printf("[osgi] 3 stop/start + 3 update/refresh cycles of the thin bundle: %.2f s%n", (System.nanoTime() - t0) / 1e9);
        // a refresh of the library would have given it a new wiring (and failed: libtorch is loaded)
        assertSame(libraryWiring, library.adapt(BundleWiring.class), "the library bundle was refreshed");
        assertEquals(Bundle.ACTIVE, library.getState());
        Set<Thread> added = new HashSet<>(Thread.getAllStackTraces().keySet());
        added.removeAll(threadsBefore);
        added.removeIf(t -> !t.isAlive());
        assertTrue(added.isEmpty(), "threads left behind by the cycles: " + added);
    }

    @Test
    @Order(5)
    void aStoppedThinBundleLeavesNoServiceAndTheLibraryStays() throws Exception {
        InferenceBackend backend = cuda();
        StageRunner r = backend.load(tiny(), "geometry");
        thin.stop();
        assertEquals(Bundle.ACTIVE, library.getState());
        assertEquals(0, framework.getBundleContext().getServiceReferences(InferenceBackend.class, null).size(),
                "the stopped bundle's service is gone");
        assertThrows(ConceptSegException.class, () -> r.run(FixtureCheck.inputs(tiny(), "geometry")));
        thin.start();
        assertEquals("cuda", cuda().id());
    }
}

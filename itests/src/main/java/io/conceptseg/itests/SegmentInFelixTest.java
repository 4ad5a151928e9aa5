package io.conceptseg.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ConceptPrompt;
import io.conceptseg.api.ConceptSegmenter;
import io.conceptseg.api.Detection;
import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.NoBackendException;
import io.conceptseg.api.SegmentOptions;
import io.conceptseg.api.SegmentReport;
import io.conceptseg.api.SegmentRequest;
import io.conceptseg.api.SegmentResult;
import io.conceptseg.api.SegmentationTasks;
import io.conceptseg.api.backend.BackendSelector;
import io.conceptseg.api.image.ImageData;
import io.conceptseg.api.image.ImageDecoder;
import io.conceptseg.commons.rle.CocoRle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.util.tracker.ServiceTracker;

/** The vertical slice in a real framework: bundles start, an image is segmented, the backend comes and goes. */
class SegmentInFelixTest {
    static final Path ROOT = Path.of(System.getProperty("conceptseg.root", ".."));
    static final Path SAMPLE = ROOT.resolve("samples/parts-on-belt.png");

    @InjectBundleContext
    BundleContext context;

    @Test
    void everyBundleResolvesAndStarts() {
        for (Bundle b : context.getBundles()) {
            boolean fragment = b.getHeaders().get("Fragment-Host") != null;
            assertEquals(fragment ? Bundle.RESOLVED : Bundle.ACTIVE, b.getState(), b.getSymbolicName() + " is not started");
        }
    }

    @Test
    void segmentsTheSampleThroughTheService(@InjectService(timeout = 20000) ConceptSegmenter segmenter,
            @InjectService(timeout = 20000) ImageDecoder decoder) {
        ImageData image = decoder.decode(SAMPLE);
        // threshold 0: the tiny test model has random weights, so keep every non-empty mask
        SegmentResult r = segmenter.segment(new SegmentRequest(image,
                List.of(ConceptPrompt.text("washer"), ConceptPrompt.text("rust spot")), new SegmentOptions(0.0, null, null)));
        assertEquals("onnx", r.backendId());
        assertEquals(2, r.results().size());
        assertEquals("washer", r.results().get(0).prompt().text());
        assertFalse(r.detections().isEmpty(), "threshold 0 keeps every query with a non-empty mask");
        for (Detection d : r.detections()) {
            assertEquals(image.height(), d.mask().height());
            assertEquals(image.width(), d.mask().width());
            long area = CocoRle.area("mask", d.mask());
            assertEquals(d.area(), area);
            assertTrue(area > 0);
            assertTrue(d.score() >= 0 && d.score() <= 1);
            assertTrue(d.box().x() >= 0 && d.box().y() >= 0 && d.box().x() + d.box().width() <= image.width() + 1e-6
                    && d.box().y() + d.box().height() <= image.height() + 1e-6, "box inside the image: " + d.box());
        }
        for (var pr : r.results()) {
            for (int i = 1; i < pr.detections().size(); i++) {
                assertTrue(pr.detections().get(i - 1).score() >= pr.detections().get(i).score(), "best first");
            }
        }
    }

    @Test
    void tasksWriteResultsAndOverlay(@InjectService(timeout = 20000) SegmentationTasks tasks) throws Exception {
        Path out = Files.createTempDirectory("itest-out");
        SegmentReport report = tasks.segment(SAMPLE, List.of("nut"), out, new SegmentOptions(0.0, null, null));
        assertEquals(2, report.written().size());
        String json = Files.readString(out.resolve("parts-on-belt.json"));
        assertTrue(json.startsWith("[") && json.contains("\"counts\""), json.substring(0, Math.min(200, json.length())));
        assertTrue(Files.size(out.resolve("parts-on-belt.png")) > 1000);
    }

    @Test
    void badInputIsOneClearErrorAndTheFrameworkStaysUp(@InjectService(timeout = 20000) SegmentationTasks tasks) {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> tasks.segment(ROOT.resolve("samples/no-such.png"), List.of("nut"), null, SegmentOptions.DEFAULTS));
        assertTrue(e.getMessage().contains("no-such.png"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> tasks.segment(SAMPLE, List.of("  "), null, SegmentOptions.DEFAULTS));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        // still working afterwards
        assertNotNull(tasks.segment(SAMPLE, List.of("nut"), null, SegmentOptions.DEFAULTS).result());
    }

    @Test
    void stoppingEveryBackendLeavesNoBackendThenStartingThemAgainWorks(
            @InjectService(timeout = 20000) ConceptSegmenter segmenter,
            @InjectService(timeout = 20000) ImageDecoder decoder,
            @InjectService(timeout = 20000) BackendSelector selector) throws Exception {
        ImageData image = decoder.decode(SAMPLE);
        SegmentRequest request = new SegmentRequest(image, List.of(ConceptPrompt.text("gear")), new SegmentOptions(0.0, null, null));
        int before = segmenter.segment(request).detections().size();
        List<Bundle> stopped = Bundles.stop(context, Bundles.BACKENDS);
        try {
            NoBackendException e = assertThrows(NoBackendException.class, () -> segmenter.segment(request));
            assertTrue(e.getMessage().contains("no inference backend is running"), e.getMessage());
            assertTrue(selector.backends().isEmpty());
        } finally {
            Bundles.start(stopped);
        }
        ServiceTracker<?, ?> t = new ServiceTracker<>(context, "io.conceptseg.api.backend.InferenceBackend", null);
        t.open();
        try {
            assertNotNull(t.waitForService(20000), "a backend service comes back");
        } finally {
            t.close();
        }
        assertEquals(before, segmenter.segment(request).detections().size(), "same model, same answer after the restart");
    }
}

package io.conceptseg.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.Detection;
import io.conceptseg.api.PromptResult;
import io.conceptseg.api.SegmentResult;
import io.conceptseg.commons.rle.CocoRle;

/** Checks that a result is well formed: masks at image size, areas, scores, boxes, order. */
final class Results {
    private Results() { }

    static void assertValid(SegmentResult r, double threshold) {
        for (PromptResult pr : r.results()) {
            double last = Double.POSITIVE_INFINITY;
            for (Detection d : pr.detections()) {
                assertEquals(r.height(), d.mask().height());
                assertEquals(r.width(), d.mask().width());
                assertEquals(d.area(), CocoRle.area("mask", d.mask()));
                assertTrue(d.area() > 0, "empty masks are dropped");
                assertTrue(d.score() >= threshold && d.score() <= 1, "score " + d.score());
                assertTrue(d.score() <= last, "best first");
                last = d.score();
                assertTrue(d.box().x() >= 0 && d.box().y() >= 0 && d.box().x() + d.box().width() <= r.width() + 1e-6
                        && d.box().y() + d.box().height() <= r.height() + 1e-6, "box inside the image: " + d.box());
            }
        }
    }

    /** Pixels in exactly one of the two masks. */
    static long maskDifference(Detection a, Detection b) {
        boolean[] ma = CocoRle.decode("a", a.mask());
        boolean[] mb = CocoRle.decode("b", b.mask());
        long n = 0;
        for (int i = 0; i < ma.length; i++) {
            n += ma[i] != mb[i] ? 1 : 0;
        }
        return n;
    }

    /** Intersection over union of two masks. */
    static double maskIou(Detection a, Detection b) {
        boolean[] ma = CocoRle.decode("a", a.mask());
        boolean[] mb = CocoRle.decode("b", b.mask());
        long inter = 0;
        long union = 0;
        for (int i = 0; i < ma.length; i++) {
            inter += ma[i] && mb[i] ? 1 : 0;
            union += ma[i] || mb[i] ? 1 : 0;
        }
        return union == 0 ? 1 : inter / (double) union;
    }
}

package io.conceptseg.pipeline.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.Rle;
import io.conceptseg.commons.json.JsonObject;
import io.conceptseg.commons.rle.CocoRle;
import io.conceptseg.commons.rle.RunMask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Segmentations read from a data set against the sample data set written by pycocotools-exact code. */
class MaskJsonTest {
    @Test
    void sampleAnnotationsAgreeWithTheirAreaAndBox() throws Exception {
        Path file = Path.of(System.getProperty("conceptseg.root", "..")).resolve("samples/mini-dataset/annotations.json");
        JsonObject root = JsonObject.parse("annotations.json", Files.readString(file));
        List<Object> anns = root.array("annotations");
        assertTrue(anns.size() > 10);
        for (int i = 0; i < anns.size(); i++) {
            JsonObject a = root.objectAt("annotations", i);
            RunMask m = MaskJson.segmentation("annotations[" + i + "]", a.map().get("segmentation"));
            assertEquals(a.integer("area"), m.area, "annotation " + i);
            List<Object> box = a.array("bbox");
            double[] expected = box.stream().mapToDouble(o -> ((Number) o).doubleValue()).toArray();
            assertArrayEquals(expected, m.bbox(), 0, "annotation " + i);
            boolean[] px = CocoRle.decode("a", new Rle(m.height, m.width, (String) ((Map<?, ?>) a.map().get("segmentation")).get("counts")));
            assertEquals(RunMask.of(px, m.height, m.width).area, m.area);
        }
    }
}

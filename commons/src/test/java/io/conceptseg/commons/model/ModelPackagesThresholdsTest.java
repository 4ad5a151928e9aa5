package io.conceptseg.commons.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.model.ModelDescriptor;
import io.conceptseg.commons.json.JsonException;
import io.conceptseg.commons.json.JsonObject;
import io.conceptseg.commons.testing.TestPackages;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** model.json's thresholds: the duplicate mask IoU is optional (absent: no suppression) and checked. */
class ModelPackagesThresholdsTest {
    private static String tinyJson() throws IOException {
        return Files.readString(TestPackages.inspectionTinyRoot().resolve("model.json"));
    }

    private static ModelDescriptor.Thresholds parseWith(String extra) throws IOException {
        String json = tinyJson().replace("\"thresholds\": {", "\"thresholds\": {" + extra);
        return ModelPackages.parse(JsonObject.parse("model.json", json)).thresholds();
    }

    @Test
    void anAbsentDuplicateIouSuppressesNothing() throws IOException {
        ModelDescriptor.Thresholds t = parseWith("");
        assertEquals(0.5, t.score());
        assertEquals(1.0, t.duplicateMaskIou());
    }

    @Test
    void aDuplicateIouIsRead() throws IOException {
        assertEquals(0.5, parseWith("\"duplicate_mask_iou\": 0.5,").duplicateMaskIou());
    }

    @Test
    void aDuplicateIouOutsideZeroOneIsRefusedNamingTheField() {
        JsonException e = assertThrows(JsonException.class, () -> parseWith("\"duplicate_mask_iou\": 1.5,"));
        assertTrue(e.getMessage().contains("duplicate_mask_iou: 1.5 must lie in [0, 1]"), e.getMessage());
    }
}

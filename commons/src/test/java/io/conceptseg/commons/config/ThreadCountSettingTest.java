package io.conceptseg.commons.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.conceptseg.commons.config.ThreadCountSetting.Resolved;
import io.conceptseg.commons.config.ThreadCountSetting.Source;
import org.junit.jupiter.api.Test;

class ThreadCountSettingTest {
    @Test
    void thePropertyWinsOverTheConfiguration() {
        assertEquals(new Resolved(3, null), ThreadCountSetting.resolve("3", 5, 8));
        assertEquals(new Resolved(2, null), ThreadCountSetting.resolve(" 2 ", 0, 8));
        assertEquals(new Resolved(5, null), ThreadCountSetting.resolve(null, 5, 8));
        assertEquals(new Resolved(5, null), ThreadCountSetting.resolve("  ", 5, 8));
    }

    @Test
    void zeroOrNothingMeansOnePerProcessorAndAtLeastOne() {
        assertEquals(new Resolved(8, null), ThreadCountSetting.resolve(null, 0, 8));
        assertEquals(new Resolved(1, null), ThreadCountSetting.resolve(null, 0, 0));
    }

    @Test
    void anUnusableValueIsNamedAndReplacedByOnePerProcessor() {
        assertEquals(new Resolved(4, Source.PROPERTY), ThreadCountSetting.resolve("many", 2, 4));
        assertEquals(new Resolved(4, Source.PROPERTY), ThreadCountSetting.resolve("0", 2, 4));
        assertEquals(new Resolved(4, Source.PROPERTY), ThreadCountSetting.resolve("-3", 2, 4));
        assertEquals(new Resolved(4, Source.CONFIGURATION), ThreadCountSetting.resolve(null, -1, 4));
        // a bad configuration does not matter when the property overrides it
        assertEquals(new Resolved(2, null), ThreadCountSetting.resolve("2", -1, 4));
    }
}

package io.conceptseg.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SigmoidPresenceHeadTest {
    private final SigmoidPresenceHead head = new SigmoidPresenceHead();

    @Test
    void sigmoidOfKnownValues() {
        assertEquals(0.5, SigmoidPresenceHead.sigmoid(0), 0);
        assertEquals(0.75, SigmoidPresenceHead.sigmoid(Math.log(3)), 1e-15);
        assertEquals(0.25, SigmoidPresenceHead.sigmoid(-Math.log(3)), 1e-15);
    }

    @Test
    void sigmoidIsStableForHugeLogits() {
        assertEquals(1.0, SigmoidPresenceHead.sigmoid(1000), 0);
        assertEquals(0.0, SigmoidPresenceHead.sigmoid(-1000), 0);
        assertEquals(1.0, SigmoidPresenceHead.sigmoid(Double.POSITIVE_INFINITY), 0);
        assertEquals(0.0, SigmoidPresenceHead.sigmoid(Double.NEGATIVE_INFINITY), 0);
        // 1 - sigmoid(40) would round to 0; the stable form keeps the small value exactly
        double small = SigmoidPresenceHead.sigmoid(-40);
        assertTrue(small > 0);
        assertEquals(Math.exp(-40), small, Math.exp(-40) * 1e-12);
    }

    @Test
    void presenceIsSigmoidOfPresenceLogit() {
        assertEquals(0.75, head.presence((float) Math.log(3)), 1e-7);
    }

    @Test
    void scoreIsMatchProbabilityTimesPresence() {
        float ln3 = (float) Math.log(3);
        double[] s = head.scores(new float[] {ln3, 0f, -ln3, 100f}, 0f);
        assertEquals(4, s.length);
        assertEquals(0.375, s[0], 1e-7);
        assertEquals(0.25, s[1], 0);
        assertEquals(0.125, s[2], 1e-7);
        assertEquals(0.5, s[3], 0);
        double[] absent = head.scores(new float[] {100f}, -100f);
        assertTrue(absent[0] < 1e-40 && absent[0] > 0);
    }
}

package io.conceptseg.encoder.prompt;

import io.conceptseg.api.BoxPrompt;

/** What the tests on inspection-tiny's prompt fixtures share. */
final class FixturePrompts {
    private FixturePrompts() { }

    /** A box given as the fixtures give it (normalised centre and size) in the 128-pixel model image. */
    static BoxPrompt box(double cx, double cy, double w, double h, boolean positive) {
        return new BoxPrompt((cx - w / 2) * 128, (cy - h / 2) * 128, w * 128, h * 128, positive);
    }

    /** The sum of a mask row: its number of valid tokens. */
    static float sum(float[] a) {
        float s = 0;
        for (float v : a) {
            s += v;
        }
        return s;
    }
}

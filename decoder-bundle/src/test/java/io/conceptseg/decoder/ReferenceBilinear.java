package io.conceptseg.decoder;

import io.conceptseg.api.stage.Letterbox;

/** A straightforward per-pixel evaluation of the upsampling convention, in double precision, to check against. */
final class ReferenceBilinear {
    private ReferenceBilinear() { }

    /** The upsampled logit of original pixel (x, y) of the grid at {@code offset}. */
    static double logit(float[] g, int offset, int gh, int gw, Letterbox lb, int x, int y) {
        double mx = Math.min(Math.max((x + 0.5) * lb.scale() * gw / lb.side() - 0.5, 0), gw - 1);
        double my = Math.min(Math.max((y + 0.5) * lb.scale() * gh / lb.side() - 0.5, 0), gh - 1);
        int x0 = (int) Math.floor(mx);
        int y0 = (int) Math.floor(my);
        int x1 = Math.min(x0 + 1, gw - 1);
        int y1 = Math.min(y0 + 1, gh - 1);
        double ax = mx - x0;
        double ay = my - y0;
        double top = g[offset + y0 * gw + x0] * (1 - ax) + g[offset + y0 * gw + x1] * ax;
        double bottom = g[offset + y1 * gw + x0] * (1 - ax) + g[offset + y1 * gw + x1] * ax;
        return top * (1 - ay) + bottom * ay;
    }
}

package io.conceptseg.pipeline;

import io.conceptseg.api.Detection;
import io.conceptseg.api.PromptResult;
import io.conceptseg.api.SegmentResult;
import io.conceptseg.api.image.ImageData;
import io.conceptseg.commons.rle.CocoRle;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/** Draws a result for people: each prompt's masks in its own colour, boxes and "phrase score" labels. */
final class OverlayRenderer {
    private static final Color[] PALETTE = {
        new Color(230, 25, 75), new Color(60, 180, 75), new Color(0, 130, 200), new Color(245, 130, 48),
        new Color(145, 30, 180), new Color(70, 240, 240), new Color(240, 50, 230), new Color(210, 245, 60),
        new Color(250, 190, 212), new Color(0, 128, 128)};
    private static final double MASK_ALPHA = 0.45;

    private OverlayRenderer() { }

    static BufferedImage render(ImageData image, SegmentResult result) {
        int w = image.width();
        int h = image.height();
        int[] argb = new int[w * h];
        byte[] rgb = image.rgb();
        for (int i = 0; i < w * h; i++) {
            argb[i] = 0xff000000 | (rgb[3 * i] & 0xff) << 16 | (rgb[3 * i + 1] & 0xff) << 8 | (rgb[3 * i + 2] & 0xff);
        }
        List<PromptResult> results = result.results();
        for (int p = 0; p < results.size(); p++) {
            Color c = PALETTE[p % PALETTE.length];
            for (Detection d : results.get(p).detections()) {
                blendMask(argb, CocoRle.decode("mask", d.mask()), w, h, c);
            }
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, w, h, argb, 0, w);
        Graphics2D g = out.createGraphics();
        try {
            g.setStroke(new BasicStroke(Math.max(1f, Math.min(w, h) / 300f)));
            for (int p = 0; p < results.size(); p++) {
                g.setColor(PALETTE[p % PALETTE.length]);
                for (Detection d : results.get(p).detections()) {
                    g.drawRect((int) Math.round(d.box().x()), (int) Math.round(d.box().y()),
                            (int) Math.round(d.box().width()), (int) Math.round(d.box().height()));
                }
            }
            drawLabels(g, results, w, h);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Labels need a font; a host without any (bare container) still gets masks and boxes. */
    private static void drawLabels(Graphics2D g, List<PromptResult> results, int w, int h) {
        FontMetrics fm;
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(10, Math.min(w, h) / 36)));
            fm = g.getFontMetrics();
        } catch (RuntimeException | LinkageError | InternalError e) {
            System.err.println("[conceptseg] overlay drawn without labels: no usable font (" + e + ")");
            return;
        }
        for (int p = 0; p < results.size(); p++) {
            Color c = PALETTE[p % PALETTE.length];
            for (Detection d : results.get(p).detections()) {
                int x = (int) Math.round(d.box().x());
                int y = (int) Math.round(d.box().y());
                String label = d.label() + " " + String.format("%.2f", d.score());
                int tw = fm.stringWidth(label) + 4;
                int th = fm.getHeight();
                int ty = y - th >= 0 ? y - th : y;
                g.setColor(c);
                g.fillRect(x, ty, tw, th);
                g.setColor(Color.WHITE);
                g.drawString(label, x + 2, ty + fm.getAscent());
            }
        }
    }

    private static void blendMask(int[] argb, boolean[] mask, int w, int h, Color c) {
        for (int i = 0; i < w * h; i++) {
            if (!mask[i]) {
                continue;
            }
            boolean edge = (i % w == 0 || !mask[i - 1]) || (i % w == w - 1 || !mask[i + 1])
                    || (i < w || !mask[i - w]) || (i >= w * (h - 1) || !mask[i + w]);
            double a = edge ? 0.9 : MASK_ALPHA;
            int px = argb[i];
            int r = (int) Math.round(((px >> 16) & 0xff) * (1 - a) + c.getRed() * a);
            int gg = (int) Math.round(((px >> 8) & 0xff) * (1 - a) + c.getGreen() * a);
            int b = (int) Math.round((px & 0xff) * (1 - a) + c.getBlue() * a);
            argb[i] = 0xff000000 | r << 16 | gg << 8 | b;
        }
    }
}

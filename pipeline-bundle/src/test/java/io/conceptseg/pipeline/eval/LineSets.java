package io.conceptseg.pipeline.eval;

import io.conceptseg.api.Rle;
import io.conceptseg.commons.rle.CocoRle;
import io.conceptseg.commons.rle.RunMask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds small SA-Co data sets for tests whose images are one pixel high, so that every mask is an
 * interval [from, to) of columns and IoUs can be worked out by hand. The image files are placeholders:
 * scoring never decodes them.
 */
final class LineSets {
    static final int WIDTH = 30;

    private final List<String> images = new ArrayList<>();
    private final List<String> annotations = new ArrayList<>();
    private final List<String> predictions = new ArrayList<>();

    /** A 1 x WIDTH mask set on [from, to). */
    static Rle line(int from, int to) {
        boolean[] m = new boolean[WIDTH];
        for (int x = from; x < to; x++) {
            m[x] = true;
        }
        return CocoRle.encode(m, 1, WIDTH);
    }

    static RunMask mask(int from, int to) {
        return RunMask.of("test", line(from, to));
    }

    /** An instance on [from, to) with its tight box. */
    static Instance instance(int from, int to) {
        RunMask m = mask(from, to);
        return new Instance(m, m.bbox(), false, 1);
    }

    LineSets pair(long id, String file, String phrase) {
        images.add(String.format(Locale.ROOT, "{\"id\":%d,\"file_name\":\"%s\",\"width\":%d,\"height\":1,\"text_input\":\"%s\"}",
                id, file, WIDTH, phrase));
        return this;
    }

    LineSets truth(long annId, long imageId, int from, int to) {
        annotations.add(String.format(Locale.ROOT, "{\"id\":%d,\"image_id\":%d,\"category_id\":1,\"iscrowd\":0,\"area\":%d,"
                + "\"bbox\":[%d,0,%d,1],\"segmentation\":%s}", annId, imageId, to - from, from, to - from, seg(line(from, to))));
        return this;
    }

    LineSets predict(long imageId, double score, int from, int to) {
        predictions.add(String.format(Locale.ROOT, "{\"image_id\":%d,\"category_id\":1,\"score\":%s,\"bbox\":[%d,0,%d,1],\"segmentation\":%s}",
                imageId, score, from, to - from, seg(line(from, to))));
        return this;
    }

    static String seg(Rle r) {
        return "{\"size\":[" + r.height() + "," + r.width() + "],\"counts\":\"" + r.counts().replace("\\", "\\\\") + "\"}";
    }

    /** Writes annotations.json (and an empty placeholder per image file) into dir. */
    Path writeDataset(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String img : images) {
            String name = img.replaceAll(".*\"file_name\":\"([^\"]+)\".*", "$1");
            Path f = dir.resolve(name);
            if (!Files.exists(f)) {
                Files.write(f, new byte[] {1});
            }
        }
        Files.writeString(dir.resolve("annotations.json"), "{\"images\":[" + String.join(",", images) + "],\"annotations\":["
                + String.join(",", annotations) + "],\"categories\":[{\"id\":1,\"name\":\"object\"}]}");
        return dir;
    }

    Path writePredictions(Path file) throws IOException {
        Files.writeString(file, "[" + String.join(",\n", predictions) + "]");
        return file;
    }
}

package io.conceptseg.backend.cpu;

import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.model.ModelDescriptor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.commons.json.JsonException;
import io.conceptseg.commons.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The hyper-parameters of a conceptseg-sam3-mini model (model.json → dims), checked for the
 * relations the architecture relies on. Symbols as in docs/model-architecture.md.
 */
record Dims(int imageSize, int dModel, int heads, int ffnDim, int[] visionWidths, int vocabSize, int contextLength,
        int textWidth, int textHeads, int textFfnDim, int textLayers, int geometryPool, int fusionLayers,
        int decoderLayers, int queries, float eps, float maskBias, boolean fusionPosInput, boolean fusionFilm,
        boolean denseQueries) {

    /** The only architecture this backend implements. */
    static final String ARCHITECTURE = "conceptseg-sam3-mini";

    /** Side of fpn level i (strides 4, 8, 16). */
    int featureSize(int level) {
        return imageSize >> (level + 2);
    }

    /**
     * Reads and checks the dims of a package.
     *
     * @throws ModelPackageException naming model.json and the field that is missing or inconsistent
     */
    static Dims of(ModelPackage model) {
        ModelDescriptor d = model.descriptor();
        Path json = model.root().resolve("model.json");
        if (!ARCHITECTURE.equals(d.architecture())) {
            throw new ModelPackageException(json.toString(), "architecture '" + d.architecture()
                    + "' is not one the cpu backend implements (it runs " + ARCHITECTURE + ")");
        }
        try {
            Dims dims = new Dims(dim(d, json, "image_size"), dim(d, json, "d_model"), dim(d, json, "heads"),
                    dim(d, json, "ffn_dim"), visionWidths(json), dim(d, json, "vocab_size"), dim(d, json, "context_length"),
                    dim(d, json, "text_width"), dim(d, json, "text_heads"), dim(d, json, "text_ffn_dim"),
                    dim(d, json, "text_layers"), dim(d, json, "geometry_pool"), dim(d, json, "fusion_layers"),
                    dim(d, json, "decoder_layers"), dim(d, json, "queries"), (float) number(d, json, "layer_norm_eps"),
                    (float) number(d, json, "mask_bias"), flag(d, json, "fusion_pos_input"),
                    flag(d, json, "fusion_film"), flag(d, json, "dense_queries"));
            dims.check(json, d);
            return dims;
        } catch (IllegalArgumentException e) {
            throw new ModelPackageException(json.toString(), e.getMessage(), e);
        }
    }

    private void check(Path json, ModelDescriptor d) {
        require(json, imageSize % 16 == 0, "dims.image_size " + imageSize + " is not a multiple of 16");
        require(json, dModel % heads == 0, "dims.d_model " + dModel + " is not divisible by dims.heads " + heads);
        require(json, textWidth % textHeads == 0, "dims.text_width " + textWidth + " is not divisible by dims.text_heads " + textHeads);
        require(json, d.image().size() == imageSize, "image.size " + d.image().size() + " differs from dims.image_size " + imageSize);
        require(json, d.text().contextLength() == contextLength, "text.context_length " + d.text().contextLength()
                + " differs from dims.context_length " + contextLength);
        require(json, eps > 0, "dims.layer_norm_eps must be positive");
        int cells = featureSize(2) * featureSize(2);
        require(json, !denseQueries || queries == cells, "dims.queries " + queries + " must be (image_size / 16)^2 = "
                + cells + " with dims.dense_queries");
    }

    private static void require(Path json, boolean ok, String problem) {
        if (!ok) {
            throw new ModelPackageException(json.toString(), problem);
        }
    }

    private static double number(ModelDescriptor d, Path json, String key) {
        Double v = d.dims().get(key);
        if (v == null) {
            throw new ModelPackageException(json.toString(), "dims." + key + " is missing (the " + ARCHITECTURE
                    + " architecture needs it)");
        }
        return v;
    }

    /** An optional 0/1 switch; absent means 0 (packages written before the switch existed). */
    private static boolean flag(ModelDescriptor d, Path json, String key) {
        Double v = d.dims().get(key);
        if (v == null || v == 0) {
            return false;
        }
        if (v != 1) {
            throw new ModelPackageException(json.toString(), "dims." + key + " = " + v + " must be 0 or 1");
        }
        return true;
    }

    private static int dim(ModelDescriptor d, Path json, String key) {
        double v = number(d, json, key);
        if (v != Math.rint(v) || v < 1 || v > 1 << 20) {
            throw new ModelPackageException(json.toString(), "dims." + key + " = " + v + " is not a positive integer");
        }
        return (int) v;
    }

    /** vision_widths is a list, which the descriptor's numeric dims leave out: read it from model.json. */
    private static int[] visionWidths(Path json) {
        try {
            JsonObject root = JsonObject.parse(json.toString(), Files.readString(json, StandardCharsets.UTF_8));
            List<Object> list = root.object("dims").array("vision_widths");
            if (list.size() != 4) {
                throw new ModelPackageException(json.toString(), "dims.vision_widths needs 4 entries (stem, /4, /8, /16), has "
                        + list.size());
            }
            int[] w = new int[4];
            for (int i = 0; i < 4; i++) {
                if (!(list.get(i) instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.intValue() < 1) {
                    throw new ModelPackageException(json.toString(), "dims.vision_widths[" + i + "] = " + list.get(i)
                            + " is not a positive integer");
                }
                w[i] = ((Number) list.get(i)).intValue();
            }
            return w;
        } catch (IOException e) {
            throw new ModelPackageException(json.toString(), "cannot read: " + e.getMessage(), e);
        } catch (JsonException e) {
            throw new ModelPackageException(json.toString(), "dims.vision_widths: " + e.getMessage(), e);
        }
    }
}

package io.conceptseg.encoder.prompt;

import io.conceptseg.api.ConceptPrompt;
import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.DType;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.StageSpec;
import io.conceptseg.api.model.TensorSpec;
import io.conceptseg.api.stage.ImageEmbedding;
import io.conceptseg.api.stage.ModelSession;
import io.conceptseg.api.stage.PromptEmbedding;
import io.conceptseg.api.stage.PromptEncoder;
import io.conceptseg.api.stage.TextEmbedding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * The geometry/exemplar prompt encoder: runs the "geometry" stage once for every prompt with
 * boxes or points (G prompts, padded to the most entries N with label -1), then builds the prompt
 * batch in the compact form of docs/model-package.md: per prompt its valid text tokens, then its
 * valid geometry tokens, padded with zero rows (mask 0) to the longest prompt P. Stateless.
 */
@Component(service = PromptEncoder.class)
public class GeometryPromptEncoder implements PromptEncoder {
    /** The stage this encoder runs. */
    static final String STAGE = "geometry";
    static final String BOXES = "input_boxes";
    static final String LABELS = "input_labels";
    static final String FEATURES = "geometry_features";
    static final String MASK = "geometry_mask";

    @Override
    public PromptEmbedding encode(ModelSession session, ImageEmbedding image, List<ConceptPrompt> prompts,
            TextEmbedding text) {
        if (prompts == null || prompts.isEmpty()) {
            throw new InvalidInputException("prompts", "give at least one phrase or exemplar");
        }
        int textPrompts = (int) prompts.stream().filter(p -> p.text() != null).count();
        checkText(text, textPrompts);

        // converting every prompt first: a box outside the image fails before anything runs
        List<PromptGeometry> geometry = new ArrayList<>();
        for (ConceptPrompt p : prompts) {
            geometry.add(p.hasGeometry() ? PromptGeometry.of(p, image.letterbox()) : null);
        }
        GeometryOutputs geo = geometry.stream().anyMatch(g -> g != null) ? runGeometry(session, image, geometry) : null;

        // per prompt: the rows of its valid tokens
        List<List<float[]>> tokens = new ArrayList<>();
        int d = -1;
        int textRow = 0;
        int geoRow = 0;
        for (int b = 0; b < prompts.size(); b++) {
            List<float[]> rows = new ArrayList<>();
            if (prompts.get(b).text() != null) {
                d = validRows(text.features(), text.mask(), textRow++, rows);
            }
            if (geometry.get(b) != null) {
                d = validRows(geo.features, geo.mask, geoRow++, rows);
            }
            if (rows.isEmpty()) {
                throw new ConceptSegException("prompt " + prompts.get(b).label(),
                        "has no valid token (the text and geometry masks are all 0)");
            }
            tokens.add(rows);
        }
        if (text != null && geo != null && text.features().dim(2) != geo.features.dim(2)) {
            throw new ConceptSegException("model " + session.model().id(), "text tokens have " + text.features().dim(2)
                    + " features but geometry tokens " + geo.features.dim(2));
        }
        return assemble(tokens, d);
    }

    /** The text embedding must hold one row per prompt with a phrase, in prompt order. */
    private static void checkText(TextEmbedding text, int textPrompts) {
        if (textPrompts == 0) {
            return;
        }
        if (text == null) {
            throw new ConceptSegException("text embedding", textPrompts + " prompts have a phrase but no text embedding was given");
        }
        if (text.features().rank() != 3 || text.mask().rank() != 2 || text.features().dim(0) != textPrompts
                || text.mask().dim(0) != textPrompts || text.mask().dim(1) != text.features().dim(1)) {
            throw new ConceptSegException("text embedding", "features " + Arrays.toString(text.features().shape())
                    + " and mask " + Arrays.toString(text.mask().shape()) + " do not hold one row for each of the "
                    + textPrompts + " prompts with a phrase");
        }
    }

    /** The geometry stage's outputs: features [G, N, D], mask [G, N]. */
    private record GeometryOutputs(Tensor features, Tensor mask) { }

    private static GeometryOutputs runGeometry(ModelSession session, ImageEmbedding image, List<PromptGeometry> geometry) {
        StageSpec stage = session.model().descriptor().stage(STAGE);
        if (stage == null) {
            throw new ModelPackageException("model " + session.model().id(),
                    "model.json declares no " + STAGE + " stage, so box and point prompts cannot be used");
        }
        List<PromptGeometry> present = geometry.stream().filter(g -> g != null).toList();
        int g = present.size();
        int n = present.stream().mapToInt(PromptGeometry::count).max().orElse(0);
        float[] boxes = new float[g * n * 4];
        long[] labels = new long[g * n];
        Arrays.fill(labels, PromptGeometry.PADDING);
        for (int i = 0; i < g; i++) {
            PromptGeometry pg = present.get(i);
            System.arraycopy(pg.boxes(), 0, boxes, i * n * 4, pg.boxes().length);
            System.arraycopy(pg.labels(), 0, labels, i * n, pg.count());
        }
        Map<String, Tensor> inputs = new HashMap<>();
        for (TensorSpec in : stage.inputs()) {
            if (in.name().equals(BOXES)) {
                inputs.put(BOXES, Tensor.ofFloats(boxes, g, n, 4));
            } else if (in.name().equals(LABELS)) {
                inputs.put(LABELS, Tensor.ofLongs(labels, g, n));
            } else {
                // an image feature the stage pools from (fpn_feat_1): the one image, once per prompt
                Tensor feature = image.features().get(in.name());
                if (feature == null) {
                    throw new ConceptSegException("stage " + STAGE, "needs the image feature " + in.name()
                            + ", which the image embedding of " + image.imageName() + " lacks");
                }
                if (feature.rank() == 0 || feature.dim(0) != 1) {
                    throw new ConceptSegException("image embedding of " + image.imageName(), in.name() + " has shape "
                            + Arrays.toString(feature.shape()) + "; an image embedding holds one image (batch 1)");
                }
                inputs.put(in.name(), g == 1 ? feature : feature.repeatBatch(g));
            }
        }
        for (String name : List.of(BOXES, LABELS)) {
            if (!inputs.containsKey(name)) {
                throw new ModelPackageException("model " + session.model().id(), "the " + STAGE + " stage has no input " + name);
            }
        }
        Map<String, Tensor> out = session.runner(STAGE).run(inputs);
        String where = "stage " + STAGE + " on backend " + session.backendId();
        Tensor features = out == null ? null : out.get(FEATURES);
        Tensor mask = out == null ? null : out.get(MASK);
        if (features == null || mask == null) {
            throw new ConceptSegException(where, "returned no " + (features == null ? FEATURES : MASK) + " output");
        }
        if (features.dtype() != DType.FLOAT32 || mask.dtype() != DType.FLOAT32 || features.rank() != 3
                || features.dim(0) != g || features.dim(1) != n || mask.rank() != 2 || mask.dim(0) != g || mask.dim(1) != n) {
            throw new ConceptSegException(where, "returned " + FEATURES + Arrays.toString(features.shape()) + " and "
                    + MASK + Arrays.toString(mask.shape()) + " for " + g + " prompts of " + n
                    + " entries (expected [" + g + ", " + n + ", D] and [" + g + ", " + n + "] float32)");
        }
        return new GeometryOutputs(features, mask);
    }

    /** Adds the rows of {@code features[row]} whose mask is set; returns the feature size D. */
    private static int validRows(Tensor features, Tensor mask, int row, List<float[]> rows) {
        int tokens = (int) features.dim(1);
        int d = (int) features.dim(2);
        float[] f = features.floats();
        float[] m = mask.floats();
        for (int t = 0; t < tokens; t++) {
            if (m[row * tokens + t] > 0) {
                int from = (row * tokens + t) * d;
                rows.add(Arrays.copyOfRange(f, from, from + d));
            }
        }
        return d;
    }

    /** prompt_features [B, P, D] and prompt_mask [B, P], zero-padded. */
    private static PromptEmbedding assemble(List<List<float[]>> tokens, int d) {
        int batch = tokens.size();
        int p = tokens.stream().mapToInt(List::size).max().orElse(0);
        float[] features = new float[batch * p * d];
        float[] mask = new float[batch * p];
        for (int b = 0; b < batch; b++) {
            List<float[]> rows = tokens.get(b);
            for (int t = 0; t < rows.size(); t++) {
                System.arraycopy(rows.get(t), 0, features, (b * p + t) * d, d);
                mask[b * p + t] = 1f;
            }
        }
        return new PromptEmbedding(Tensor.ofFloats(features, batch, p, d), Tensor.ofFloats(mask, batch, p));
    }
}

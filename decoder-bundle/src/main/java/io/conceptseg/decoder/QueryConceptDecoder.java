package io.conceptseg.decoder;

import io.conceptseg.api.BoundingBox;
import io.conceptseg.api.ConceptPrompt;
import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.Detection;
import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.PromptResult;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelDescriptor;
import io.conceptseg.api.model.StageSpec;
import io.conceptseg.api.stage.ConceptDecoder;
import io.conceptseg.api.stage.DecodeOptions;
import io.conceptseg.api.stage.FusedFeatures;
import io.conceptseg.api.stage.ImageEmbedding;
import io.conceptseg.api.stage.Letterbox;
import io.conceptseg.api.stage.ModelSession;
import io.conceptseg.api.stage.PresenceHead;
import io.conceptseg.api.stage.PromptEmbedding;
import io.conceptseg.commons.rle.RunMask;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Runs the model's {@code decoder} stage and turns its per-query outputs into detections.
 *
 * <p>Inputs are bound by the names of the stage's signature, looked up in the fused features,
 * then the prompt tokens ({@code prompt_features}, {@code prompt_mask}), then the image features;
 * batch-1 tensors are repeated to the prompt batch.
 *
 * <p>For each prompt: scores come from the {@link PresenceHead} (p(match) x p(present)); queries
 * scoring at least the score threshold are kept, best first (ties in query order). Only kept
 * queries are upsampled: their mask logits go straight from the grid over the letterboxed frame
 * to the original image size (see {@link LetterboxMaskEncoder}) and are thresholded at the mask
 * logit. <b>A kept query whose mask is empty after thresholding is dropped</b>: a detection
 * without pixels has no instance to report and would only count as a false positive. The box is
 * the query's predicted box mapped back to original pixels and clipped to the image, COCO
 * [x, y, w, h]; the area is the mask's pixel count. <b>A kept query whose mask overlaps a
 * better-scored detection of the same prompt with a mask IoU above the model's
 * {@code duplicate_mask_iou} is a duplicate and dropped</b>: one-to-one matching makes duplicates
 * rare in a well-trained DETR, but a small model's neighbouring dense queries often both fire on one
 * part, and each second copy is a false positive (docs/decisions.md).
 */
@Component(service = ConceptDecoder.class)
public final class QueryConceptDecoder implements ConceptDecoder {
    /** The stage this service runs. */
    static final String STAGE = "decoder";

    private final PresenceHead presenceHead;

    /** @param presenceHead turns presence and match logits into scores */
    @Activate
    public QueryConceptDecoder(@Reference(name = "presenceHead") PresenceHead presenceHead) {
        this.presenceHead = presenceHead;
    }

    @Override
    public List<PromptResult> decode(ModelSession session, ImageEmbedding image, PromptEmbedding prompts,
            FusedFeatures fused, List<ConceptPrompt> promptList, DecodeOptions options) {
        if (image == null) {
            throw new InvalidInputException("image embedding", "missing: encode the image before decoding");
        }
        if (prompts == null) {
            throw new InvalidInputException("prompt embedding", "missing: encode the prompts before decoding");
        }
        Letterbox letterbox = image.letterbox();
        if (letterbox == null || letterbox.width() < 1 || letterbox.height() < 1 || letterbox.side() < 1
                || !(letterbox.scale() > 0) || Double.isInfinite(letterbox.scale())) {
            throw new InvalidInputException("image embedding " + image.imageName(), "has no usable letterbox (" + letterbox + ")");
        }
        int batch = (int) prompts.features().dim(0);
        if (promptList == null || promptList.size() != batch) {
            throw new InvalidInputException("prompts", (promptList == null ? 0 : promptList.size())
                    + " prompts given for a prompt batch of " + batch);
        }
        DecodeOptions thresholds = thresholds(session.model().descriptor(), options);
        double duplicateIou = session.model().descriptor().thresholds().duplicateMaskIou();

        StageSpec spec = StageBinding.spec(session, STAGE);
        Map<String, Tensor> promptTensors = Map.of("prompt_features", prompts.features(), "prompt_mask", prompts.mask());
        Map<String, Tensor> inputs = StageBinding.inputs(session, spec, batch,
                List.of(fused == null ? Map.of() : fused.tensors(), promptTensors, image.features()));
        DecoderOutputs out = DecoderOutputs.check(session, STAGE, session.runner(STAGE).run(inputs), batch);

        LetterboxMaskEncoder masks = new LetterboxMaskEncoder(letterbox, out.gridHeight(), out.gridWidth());
        List<PromptResult> results = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            ConceptPrompt prompt = promptList.get(b);
            float presenceLogit = out.presenceLogit(b);
            float[] matchLogits = out.matchLogits(b);
            checkFinite(session, b, presenceLogit, matchLogits);
            double[] scores = presenceHead.scores(matchLogits, presenceLogit);
            List<Detection> detections = new ArrayList<>();
            List<RunMask> keptMasks = new ArrayList<>();
            for (int q : keptBestFirst(scores, thresholds.scoreThreshold())) {
                LetterboxMaskEncoder.EncodedMask mask = masks.encode(out.masks(), out.maskOffset(b, q), thresholds.maskLogit());
                if (mask == null) {
                    continue;
                }
                if (duplicateIou < 1) {
                    RunMask runs = mask.runs();
                    if (duplicates(runs, keptMasks, duplicateIou)) {
                        continue;
                    }
                    keptMasks.add(runs);
                }
                BoundingBox box = toOriginal(out.boxes(), out.boxOffset(b, q), letterbox);
                detections.add(new Detection(prompt.label(), scores[q], box, mask.rle(), mask.area()));
            }
            results.add(new PromptResult(prompt, presenceHead.presence(presenceLogit), detections));
        }
        return results;
    }

    /** The request's thresholds, or the model's when none are given. */
    static DecodeOptions thresholds(ModelDescriptor model, DecodeOptions options) {
        DecodeOptions o = options != null ? options
                : new DecodeOptions(model.thresholds().score(), model.thresholds().maskLogit());
        if (!(o.scoreThreshold() >= 0 && o.scoreThreshold() <= 1)) {
            throw new InvalidInputException("score threshold " + o.scoreThreshold(), "must lie in [0, 1]");
        }
        if (Double.isNaN(o.maskLogit())) {
            throw new InvalidInputException("mask logit threshold NaN", "must be a number");
        }
        return o;
    }

    /** A NaN logit means the backend computed garbage; say so rather than silently finding nothing. */
    private static void checkFinite(ModelSession session, int b, float presenceLogit, float[] matchLogits) {
        boolean nan = Float.isNaN(presenceLogit);
        for (int q = 0; q < matchLogits.length && !nan; q++) {
            nan = Float.isNaN(matchLogits[q]);
        }
        if (nan) {
            throw new ConceptSegException("stage " + STAGE + " on backend " + session.backendId(),
                    "produced NaN logits for prompt " + b);
        }
    }

    /** Whether the mask overlaps one of the kept masks by more than {@code duplicateIou}. */
    static boolean duplicates(RunMask mask, List<RunMask> kept, double duplicateIou) {
        for (RunMask k : kept) {
            if (mask.iou(k, false) > duplicateIou) {
                return true;
            }
        }
        return false;
    }

    /** Indices of the scores at least {@code threshold}, highest first, ties in index order. */
    static int[] keptBestFirst(double[] scores, double threshold) {
        int[] kept = new int[scores.length];
        int n = 0;
        for (int q = 0; q < scores.length; q++) {
            if (scores[q] >= threshold) {
                // insertion sort: Q is a few hundred at most, and no boxing
                int i = n++;
                while (i > 0 && scores[kept[i - 1]] < scores[q]) {
                    kept[i] = kept[i - 1];
                    i--;
                }
                kept[i] = q;
            }
        }
        return java.util.Arrays.copyOf(kept, n);
    }

    /** A normalised cx, cy, w, h box of the letterboxed frame as a COCO box in original pixels, clipped to the image. */
    static BoundingBox toOriginal(float[] boxes, int offset, Letterbox letterbox) {
        double cx = boxes[offset];
        double cy = boxes[offset + 1];
        double hw = boxes[offset + 2] / 2.0;
        double hh = boxes[offset + 3] / 2.0;
        double x0 = clip(letterbox.toOriginalX(cx - hw), letterbox.width());
        double y0 = clip(letterbox.toOriginalY(cy - hh), letterbox.height());
        double x1 = clip(letterbox.toOriginalX(cx + hw), letterbox.width());
        double y1 = clip(letterbox.toOriginalY(cy + hh), letterbox.height());
        return new BoundingBox(x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0));
    }

    private static double clip(double v, int max) {
        return v < 0 ? 0 : Math.min(v, max);
    }
}

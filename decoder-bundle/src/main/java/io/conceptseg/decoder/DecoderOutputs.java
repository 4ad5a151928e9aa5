package io.conceptseg.decoder;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.stage.ModelSession;
import java.util.Arrays;
import java.util.Map;

/**
 * The decoder stage's outputs, checked against the prompt batch B before any is read, so that a
 * backend returning a wrong shape fails with one message naming the output instead of an index
 * error deep in post-processing.
 *
 * @param masks pred_masks [B, Q, gridHeight, gridWidth], mask logits over the letterboxed frame
 * @param boxes pred_boxes [B, Q, 4], normalised cx, cy, w, h of the letterboxed frame
 * @param matchLogits pred_logits [B, Q]
 * @param presenceLogits presence_logits [B, 1]
 * @param queries Q
 * @param gridHeight rows of each mask grid
 * @param gridWidth columns of each mask grid
 */
record DecoderOutputs(float[] masks, float[] boxes, float[] matchLogits, float[] presenceLogits,
        int queries, int gridHeight, int gridWidth) {

    static DecoderOutputs check(ModelSession session, String stage, Map<String, Tensor> outputs, int batch) {
        Tensor masks = StageBinding.output(session, stage, outputs, "pred_masks");
        Tensor boxes = StageBinding.output(session, stage, outputs, "pred_boxes");
        Tensor logits = StageBinding.output(session, stage, outputs, "pred_logits");
        Tensor presence = StageBinding.output(session, stage, outputs, "presence_logits");
        String where = "stage " + stage + " on backend " + session.backendId();
        if (masks.rank() != 4 || masks.dim(0) != batch || masks.dim(1) < 1 || masks.dim(2) < 1 || masks.dim(3) < 1) {
            throw new ConceptSegException(where, "output pred_masks has shape " + Arrays.toString(masks.shape())
                    + ", expected [" + batch + ", Q, H, W] with Q, H, W >= 1");
        }
        int q = (int) masks.dim(1);
        expect(where, "pred_boxes", boxes, new long[] {batch, q, 4});
        expect(where, "pred_logits", logits, new long[] {batch, q});
        expect(where, "presence_logits", presence, new long[] {batch, 1});
        return new DecoderOutputs(masks.floats(), boxes.floats(), logits.floats(), presence.floats(),
                q, (int) masks.dim(2), (int) masks.dim(3));
    }

    /** Accepts the expected shape or any shape with the same batch and element count ([B, Q, 1] for [B, Q]). */
    private static void expect(String where, String name, Tensor t, long[] shape) {
        if (t.rank() == 0 || t.dim(0) != shape[0] || t.size() != Tensor.elementCount(shape)) {
            throw new ConceptSegException(where, "output " + name + " has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(shape));
        }
    }

    /** The match logits of prompt {@code b}. */
    float[] matchLogits(int b) {
        return Arrays.copyOfRange(matchLogits, b * queries, (b + 1) * queries);
    }

    /** The presence logit of prompt {@code b}. */
    float presenceLogit(int b) {
        return presenceLogits[b];
    }

    /** Where the mask grid of query {@code q} of prompt {@code b} starts in {@link #masks()}. */
    int maskOffset(int b, int q) {
        return (b * queries + q) * gridHeight * gridWidth;
    }

    /** Where the box of query {@code q} of prompt {@code b} starts in {@link #boxes()}. */
    int boxOffset(int b, int q) {
        return (b * queries + q) * 4;
    }
}

package io.conceptseg.pipeline.eval;

import io.conceptseg.commons.rle.RunMask;

/**
 * One mask of a pair: a ground-truth annotation or a prediction.
 *
 * @param mask the mask
 * @param box [x, y, w, h] in pixels (the file's bbox, or the mask's tight box when it has none)
 * @param crowd a COCO crowd annotation (IoU against it divides by the prediction's area)
 * @param score the prediction's score; 1 for ground truth
 */
record Instance(RunMask mask, double[] box, boolean crowd, double score) {
}

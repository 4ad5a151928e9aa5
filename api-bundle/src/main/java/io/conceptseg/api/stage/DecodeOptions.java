package io.conceptseg.api.stage;

/**
 * Post-processing choices of the decoder.
 *
 * @param scoreThreshold keep detections scoring at least this
 * @param maskLogit a mask pixel is on when its upsampled logit is above this
 */
public record DecodeOptions(double scoreThreshold, double maskLogit) {
}

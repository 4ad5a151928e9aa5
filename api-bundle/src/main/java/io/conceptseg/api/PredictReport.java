package io.conceptseg.api;

import java.nio.file.Path;

/** The outcome of predicting a data set.
 *
 * @param output the results file
 * @param images distinct images encoded
 * @param pairs (image, phrase) pairs answered
 * @param detections predictions written
 * @param seconds wall time
 * @param backendId backend that ran the model
 */
public record PredictReport(Path output, int images, int pairs, int detections, double seconds, String backendId) {
}

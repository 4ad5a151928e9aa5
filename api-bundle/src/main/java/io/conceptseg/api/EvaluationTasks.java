package io.conceptseg.api;

import java.nio.file.Path;

/**
 * Scores a model on an SA-Co layout data set with the SA-Co metrics (cgF1 = 100 x pmF1 x IL_MCC
 * and the rest of {@link EvalReport}), either by running the model on every (image, phrase) pair or
 * from an existing COCO results file. A service so that the shell and the command line stay thin.
 */
public interface EvaluationTasks {
    /**
     * Evaluates the data set in {@code datasetDir}.
     *
     * @param datasetDir a folder with the images and one SA-Co COCO JSON
     * @param options what to score and where to write the report; see {@link EvalOptions}
     * @param progress told about each image predicted and each image scored
     * @return every metric, and the files written
     * @throws InvalidInputException naming the file and entry at fault for any bad input (missing
     *         image, annotation of an unknown image id, malformed RLE, empty or malformed predictions,
     *         a prediction for an unknown image id)
     * @throws NoBackendException when the model has to run and no backend can run it
     */
    EvalReport evaluate(Path datasetDir, EvalOptions options, ProgressListener progress);
}

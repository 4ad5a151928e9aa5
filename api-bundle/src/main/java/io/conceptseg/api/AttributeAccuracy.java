package io.conceptseg.api;

/**
 * How often a prediction for a "&lt;finish&gt; &lt;part&gt;" prompt is an instance of that finish
 * (and part): the share of the predictions at or above the score threshold on such prompts that
 * match, at IoU 0.5 or more, a ground-truth mask of the prompt. SA-Co data sets carry no per-instance
 * finish, so an instance of the prompted finish is exactly a ground-truth mask of the prompt; a
 * prediction on a hard negative ("red nut" where only blue nuts lie) counts as wrong.
 *
 * @param accuracy matched / predictions (0 when there are no predictions)
 * @param predictions predictions on finish+part prompts
 * @param matched those matching a ground-truth mask at IoU 0.5
 */
public record AttributeAccuracy(double accuracy, int predictions, int matched) {
}

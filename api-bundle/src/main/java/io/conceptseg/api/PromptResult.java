package io.conceptseg.api;

import java.util.List;

/** The detections of one prompt, best score first.
 *
 * @param prompt the prompt, @param presence p(concept present in the image), @param detections kept instances */
public record PromptResult(ConceptPrompt prompt, double presence, List<Detection> detections) {
    /** Copies the list. */
    public PromptResult { detections = List.copyOf(detections); }
}

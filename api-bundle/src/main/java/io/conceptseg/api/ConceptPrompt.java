package io.conceptseg.api;

import java.util.List;

/**
 * One concept to find: a noun phrase, visual exemplars (boxes), points, or a phrase with exemplars.
 *
 * @param text the noun phrase, or null for a purely visual prompt
 * @param boxes exemplar or selection boxes (may be empty)
 * @param points points (may be empty)
 */
public record ConceptPrompt(String text, List<BoxPrompt> boxes, List<PointPrompt> points) {
    /** Normalises the phrase and checks the prompt says something. */
    public ConceptPrompt {
        boxes = boxes == null ? List.of() : List.copyOf(boxes);
        points = points == null ? List.of() : List.copyOf(points);
        if (text != null) {
            text = text.strip();
            if (text.isEmpty()) {
                throw new InvalidInputException("phrase \"\"", "the phrase is empty; give a noun phrase such as \"rust spot\"");
            }
        }
        if (text == null && boxes.isEmpty() && points.isEmpty()) {
            throw new InvalidInputException("prompt", "a prompt needs a phrase, a box or a point");
        }
    }

    /** A text-only prompt. */
    public static ConceptPrompt text(String phrase) {
        if (phrase == null) {
            throw new InvalidInputException("phrase", "the phrase is missing");
        }
        return new ConceptPrompt(phrase, List.of(), List.of());
    }

    /** A short label for output: the phrase, or a description of the visual prompt. */
    public String label() {
        if (text != null) {
            return text;
        }
        return "visual(" + boxes.size() + " boxes, " + points.size() + " points)";
    }

    /** Whether the prompt carries boxes or points. */
    public boolean hasGeometry() { return !boxes.isEmpty() || !points.isEmpty(); }
}

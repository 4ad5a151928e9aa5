package io.conceptseg.api.model;

import java.util.List;

/**
 * One concept of a concept bank.
 *
 * @param phrase canonical noun phrase
 * @param synonyms other phrases that name it
 * @param members for a group concept, the phrases it stands for ("fastener" = washer | nut | screw)
 * @param positiveExemplars relative paths of exemplar crops of the concept
 * @param negativeExemplars relative paths of crops that are not the concept
 * @param scoreThreshold per-concept threshold, or null for the model's
 */
public record Concept(String phrase, List<String> synonyms, List<String> members,
        List<String> positiveExemplars, List<String> negativeExemplars, Double scoreThreshold) {
    /** Copies lists. */
    public Concept {
        synonyms = List.copyOf(synonyms);
        members = List.copyOf(members);
        positiveExemplars = List.copyOf(positiveExemplars);
        negativeExemplars = List.copyOf(negativeExemplars);
    }
}

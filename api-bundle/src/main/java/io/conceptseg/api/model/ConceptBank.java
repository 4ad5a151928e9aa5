package io.conceptseg.api.model;

import java.util.List;

/**
 * A domain concept bank shipped by a plugin bundle (header {@code ConceptSeg-ConceptBank}).
 *
 * @param id bank id
 * @param origin the bundle or file it came from
 * @param concepts its concepts
 */
public record ConceptBank(String id, String origin, List<Concept> concepts) {
    /** Copies the list. */
    public ConceptBank { concepts = List.copyOf(concepts); }
}

package io.conceptseg.api;

import java.nio.file.Path;
import java.util.List;

/** The outcome of segmenting a file.
 *
 * @param result what was found, @param written files written (results JSON, overlay PNG) */
public record SegmentReport(SegmentResult result, List<Path> written) {
    /** Copies the list. */
    public SegmentReport { written = List.copyOf(written); }
}

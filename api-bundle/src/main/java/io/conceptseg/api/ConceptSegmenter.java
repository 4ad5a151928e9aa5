package io.conceptseg.api;

/**
 * The main service: find every instance of each prompted concept in an image. Thread-safe; a
 * request runs to its end on the backend it started on, whatever switches happen meanwhile.
 */
public interface ConceptSegmenter {
    /**
     * @throws InvalidInputException for a bad image or prompt
     * @throws NoBackendException when no backend can run the model
     * @throws ModelPackageException when the model cannot be loaded
     */
    SegmentResult segment(SegmentRequest request);
}

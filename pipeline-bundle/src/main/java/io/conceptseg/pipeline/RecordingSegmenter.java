package io.conceptseg.pipeline;

import io.conceptseg.api.SegmentRequest;

/** The segmenter as benchmarks see it: a run that can record every stage call's inputs. */
public interface RecordingSegmenter {
    /** Runs a request; with {@code recordInputs}, the returned session holds each stage call. */
    ConceptSegmenterComponent.Run run(SegmentRequest request, boolean recordInputs);
}

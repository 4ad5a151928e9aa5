package io.conceptseg.api.stage;

import io.conceptseg.api.Detection;
import java.util.List;

/**
 * Follows detections of a concept across frames as masklets with stable ids (detect, associate,
 * propagate, re-identify, retire). The contract only; an implementation bundle comes later.
 */
public interface Tracker {
    /** Starts following one concept in one stream. */
    Session open(String concept);

    /** One stream's tracking state. */
    interface Session extends AutoCloseable {
        /** Feeds one frame's detections; returns the live masklets. */
        List<Masklet> update(long frameIndex, List<Detection> detections);

        /** Ends the session. */
        @Override
        void close();
    }
}

package io.conceptseg.api.backend;

import java.util.List;

/**
 * What the shell shows for one backend.
 *
 * @param id backend id
 * @param priority selection priority
 * @param availability availability and reason
 * @param devices devices
 * @param active whether new requests go to it
 * @param loadedStages stages currently loaded, as "model/stage"
 * @param lastLatencyMillis the last request's latency on it, or NaN
 */
public record BackendStatus(String id, int priority, Availability availability, List<String> devices,
        boolean active, List<String> loadedStages, double lastLatencyMillis) {
    /** Copies lists. */
    public BackendStatus {
        devices = List.copyOf(devices);
        loadedStages = List.copyOf(loadedStages);
    }
}

package io.conceptseg.backend.cuda;

import ai.djl.Device;

/**
 * Where new stages would load, as the backend sees it now: a DJL device and a note for people, or
 * no device and the reason.
 *
 * @param device the device, or null when the backend cannot run here
 * @param message the note (with a device) or the reason (without one)
 */
record DeviceStatus(Device device, String message) {
    /** Runs on {@code device}. */
    static DeviceStatus on(Device device, String note) {
        return new DeviceStatus(device, note);
    }

    /** Cannot run, because of {@code reason}. */
    static DeviceStatus none(String reason) {
        return new DeviceStatus(null, reason);
    }

    /** Whether there is a device. */
    boolean usable() {
        return device != null;
    }
}

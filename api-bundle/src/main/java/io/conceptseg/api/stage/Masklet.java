package io.conceptseg.api.stage;

import io.conceptseg.api.Detection;

/**
 * One object followed across video frames.
 *
 * @param id stable id, unique within a tracking session
 * @param firstFrame frame it was first seen in
 * @param lastFrame frame it was last seen in
 * @param current its detection in the last frame
 */
public record Masklet(int id, long firstFrame, long lastFrame, Detection current) {
}

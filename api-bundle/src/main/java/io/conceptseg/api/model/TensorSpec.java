package io.conceptseg.api.model;

import io.conceptseg.api.backend.DType;
import java.util.List;

/**
 * One input or output of a stage as model.json declares it.
 *
 * @param name tensor name, as in the ONNX graph
 * @param dtype element type
 * @param shape per axis: a number ("128") for a fixed size, or a symbol ("B", "P", "N") for a free one
 */
public record TensorSpec(String name, DType dtype, List<String> shape) {
    /** Copies the shape. */
    public TensorSpec { shape = List.copyOf(shape); }

    /** Whether axis {@code i} has a fixed size. */
    public boolean isFixed(int i) { return shape.get(i).chars().allMatch(Character::isDigit); }

    /** The fixed size of axis {@code i}. */
    public long fixed(int i) { return Long.parseLong(shape.get(i)); }
}

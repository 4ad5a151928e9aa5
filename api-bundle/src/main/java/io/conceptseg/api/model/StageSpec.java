package io.conceptseg.api.model;

import java.util.List;
import java.util.Map;

/**
 * A stage of a model package: its files per format and its signature.
 *
 * @param name stage name (vision, text, geometry, fusion, decoder)
 * @param files relative paths by format: "onnx", "torchscript", "fixture"
 * @param inputs inputs, in graph order
 * @param outputs outputs, in graph order
 */
public record StageSpec(String name, Map<String, String> files, List<TensorSpec> inputs, List<TensorSpec> outputs) {
    /** Copies collections. */
    public StageSpec {
        files = Map.copyOf(files);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** The file of a format, or null. */
    public String file(String format) { return files.get(format); }

    /** The output spec with that name, or null. */
    public TensorSpec output(String name) {
        return outputs.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }
}

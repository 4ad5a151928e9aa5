package io.conceptseg.api.backend;

/** Element types a stage tensor may have. Masks are float (1 valid, 0 padding); ids and labels int64. */
public enum DType {
    /** 32-bit float. */
    FLOAT32,
    /** 64-bit signed integer. */
    INT64;

    /** Parses the model.json spelling ("float32", "int64"). */
    public static DType parse(String s) {
        return switch (s) {
            case "float32", "float" -> FLOAT32;
            case "int64", "long" -> INT64;
            default -> throw new IllegalArgumentException("unknown dtype " + s + " (float32 or int64)");
        };
    }

    /** The model.json spelling. */
    public String spelling() { return this == FLOAT32 ? "float32" : "int64"; }
}

package io.conceptseg.api.model;

import java.util.List;
import java.util.Map;

/**
 * A parsed model.json: everything the pipeline and the backends need to know about a model,
 * so that nothing about names, shapes or dims is hard-coded in Java.
 *
 * @param formatVersion package format version (1)
 * @param id model id
 * @param architecture architecture id ("conceptseg-sam3-mini")
 * @param description one line for people
 * @param image input image spec
 * @param text tokenizer and text context
 * @param dims hyper-parameters (d_model, queries, heads, ...)
 * @param thresholds default thresholds
 * @param weightsFile relative path of weights.safetensors
 * @param weightsDtype storage dtype of the weights ("float32", "float16")
 * @param tolerance fixture tolerance per backend kind ("onnx", "torchscript", "cpu")
 * @param stages stages in run order
 */
public record ModelDescriptor(int formatVersion, String id, String architecture, String description,
        ImageSpec image, TextSpec text, Map<String, Double> dims, Thresholds thresholds,
        String weightsFile, String weightsDtype, Map<String, Double> tolerance, Map<String, StageSpec> stages) {

    /** The stage of that name, or null when the package has none. */
    public StageSpec stage(String name) { return stages.get(name); }

    /** An integer hyper-parameter. */
    public int dim(String name) {
        Double v = dims.get(name);
        if (v == null) {
            throw new IllegalArgumentException("model " + id + " declares no dim " + name);
        }
        return v.intValue();
    }

    /**
     * The image input.
     *
     * @param size side S of the square model input
     * @param mean per-channel mean (RGB, on [0,1] values)
     * @param std per-channel std
     */
    public record ImageSpec(int size, List<Double> mean, List<Double> std) {
        /** Copies lists. */
        public ImageSpec {
            mean = List.copyOf(mean);
            std = List.copyOf(std);
        }
    }

    /**
     * The tokenizer and text context.
     *
     * @param tokenizer tokenizer kind ("wordpiece")
     * @param vocab relative path of the vocabulary
     * @param contextLength L, tokens per phrase including [BOS] and [EOS]
     * @param specialTokens "pad", "unk", "bos", "eos" to their token strings
     */
    public record TextSpec(String tokenizer, String vocab, int contextLength, Map<String, String> specialTokens) {
        /** Copies the map. */
        public TextSpec { specialTokens = Map.copyOf(specialTokens); }
    }

    /**
     * Default thresholds.
     *
     * @param score keep detections with score at least this
     * @param maskLogit a mask pixel is on when its logit is above this
     * @param duplicateMaskIou a kept detection whose mask overlaps a better-scored kept detection of
     *        the same prompt with an IoU above this is a duplicate and dropped; 1 keeps every one
     */
    public record Thresholds(double score, double maskLogit, double duplicateMaskIou) {
        /** Checks that the duplicate IoU is a fraction. */
        public Thresholds {
            if (!(duplicateMaskIou >= 0 && duplicateMaskIou <= 1)) {
                throw new IllegalArgumentException("duplicate mask IoU " + duplicateMaskIou + " must lie in [0, 1]");
            }
        }

        /** Thresholds that suppress no duplicates (packages written before the duplicate IoU existed). */
        public Thresholds(double score, double maskLogit) {
            this(score, maskLogit, 1.0);
        }
    }
}

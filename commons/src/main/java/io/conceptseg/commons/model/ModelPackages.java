package io.conceptseg.commons.model;

import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.DType;
import io.conceptseg.api.model.ModelDescriptor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.model.StageSpec;
import io.conceptseg.api.model.TensorSpec;
import io.conceptseg.commons.json.JsonException;
import io.conceptseg.commons.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Opens model package folders: parses and checks model.json (docs/model-package.md). */
public final class ModelPackages {
    /** The package format this code reads. */
    public static final int FORMAT_VERSION = 1;

    private ModelPackages() { }

    /** A package folder with its parsed descriptor. */
    private record FolderPackage(Path root, ModelDescriptor descriptor, String origin) implements ModelPackage {
        @Override
        public String toString() { return descriptor.id() + " (" + origin + ")"; }
    }

    /**
     * Opens the package in {@code root}.
     *
     * @param origin where it came from, for messages (folder or bundle)
     * @throws ModelPackageException naming model.json and the field when it is missing or malformed,
     *         or naming a stage file model.json lists that is absent
     */
    public static ModelPackage open(Path root, String origin) {
        Path json = root.resolve("model.json");
        if (!Files.isRegularFile(json)) {
            throw new ModelPackageException(json.toString(), "missing: not a model package folder");
        }
        ModelDescriptor d;
        try {
            d = parse(JsonObject.parse(json.toString(), Files.readString(json, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new ModelPackageException(json.toString(), "cannot read: " + e.getMessage(), e);
        } catch (JsonException | IllegalArgumentException e) {
            throw new ModelPackageException(json.toString(), "malformed: " + e.getMessage(), e);
        }
        ModelPackage p = new FolderPackage(root.toAbsolutePath().normalize(), d, origin);
        p.file(d.text().vocab());
        p.file(d.weightsFile());
        return p;
    }

    /**
     * The stage a backend is asked to load, as model.json declares it.
     *
     * @throws ModelPackageException naming model.json when it declares no such stage
     */
    public static StageSpec stage(ModelPackage model, String stage) {
        StageSpec spec = model.descriptor().stage(stage);
        if (spec == null) {
            throw new ModelPackageException(model.root().resolve("model.json").toString(), "declares no stage '" + stage
                    + "' (stages: " + model.descriptor().stages().keySet() + ")");
        }
        return spec;
    }

    /**
     * A stage's file of one kind ("onnx", "torchscript"), checked to exist.
     *
     * @throws ModelPackageException naming model.json when the stage names no such file, or the file when it is missing
     */
    public static Path stageFile(ModelPackage model, StageSpec spec, String kind) {
        String file = spec.file(kind);
        if (file == null) {
            throw new ModelPackageException(model.root().resolve("model.json").toString(), "stage '" + spec.name()
                    + "' names no " + kind + " file");
        }
        return model.file(file);
    }

    /** Parses a model.json object. */
    public static ModelDescriptor parse(JsonObject o) {
        int version = (int) o.integer("format_version");
        if (version != FORMAT_VERSION) {
            throw new JsonException(o.where() + ".format_version: " + version + " is not supported (this build reads "
                    + FORMAT_VERSION + ")");
        }
        JsonObject img = o.object("image");
        ModelDescriptor.ImageSpec image = new ModelDescriptor.ImageSpec((int) img.integer("size"),
                doubles(img, "mean", 3), doubles(img, "std", 3));
        JsonObject t = o.object("text");
        Map<String, String> special = new LinkedHashMap<>();
        for (String k : List.of("pad", "unk", "bos", "eos")) {
            special.put(k, t.string(k));
        }
        ModelDescriptor.TextSpec text = new ModelDescriptor.TextSpec(t.string("tokenizer"), t.string("vocab"),
                (int) t.integer("context_length"), special);
        Map<String, Double> dims = new LinkedHashMap<>();
        o.object("dims").map().forEach((k, v) -> {
            if (v instanceof Number n) {
                dims.put(k, n.doubleValue());
            }
        });
        JsonObject th = o.object("thresholds");
        double duplicateIou = th.number("duplicate_mask_iou", 1.0);
        ModelDescriptor.Thresholds thresholds;
        try {
            thresholds = new ModelDescriptor.Thresholds(th.number("score"), th.number("mask_logit", 0.0), duplicateIou);
        } catch (IllegalArgumentException e) {   // the record checks the range; say which field
            throw new JsonException(th.where() + ".duplicate_mask_iou: " + duplicateIou + " must lie in [0, 1]");
        }
        JsonObject w = o.object("weights");
        Map<String, Double> tolerance = new LinkedHashMap<>();
        if (o.has("tolerance")) {
            o.object("tolerance").map().forEach((k, v) -> tolerance.put(k, ((Number) v).doubleValue()));
        }
        Map<String, StageSpec> stages = new LinkedHashMap<>();
        JsonObject st = o.object("stages");
        for (String name : st.map().keySet()) {
            JsonObject s = st.object(name);
            Map<String, String> files = new LinkedHashMap<>();
            for (String f : List.of("onnx", "torchscript", "fixture")) {
                if (s.has(f)) {
                    files.put(f, s.string(f));
                }
            }
            stages.put(name, new StageSpec(name, files, tensors(s, "inputs"), tensors(s, "outputs")));
        }
        if (stages.isEmpty()) {
            throw new JsonException(o.where() + ".stages: declares no stage");
        }
        return new ModelDescriptor(version, o.string("id"), o.string("architecture"), o.string("description", ""),
                image, text, dims, thresholds, w.string("file"), w.string("dtype", "float32"), tolerance, stages);
    }

    private static List<Double> doubles(JsonObject o, String key, int n) {
        List<Object> a = o.array(key);
        if (a.size() != n) {
            throw new JsonException(o.where() + "." + key + ": expected " + n + " numbers");
        }
        List<Double> r = new ArrayList<>();
        for (Object v : a) {
            if (!(v instanceof Number num)) {
                throw new JsonException(o.where() + "." + key + ": expected numbers");
            }
            r.add(num.doubleValue());
        }
        return r;
    }

    private static List<TensorSpec> tensors(JsonObject stage, String key) {
        List<TensorSpec> r = new ArrayList<>();
        for (int i = 0; i < stage.array(key).size(); i++) {
            JsonObject t = stage.objectAt(key, i);
            List<String> shape = new ArrayList<>();
            for (Object d : t.array("shape")) {
                shape.add(d instanceof Number n ? Long.toString(n.longValue()) : String.valueOf(d));
            }
            r.add(new TensorSpec(t.string("name"), DType.parse(t.string("dtype")), shape));
        }
        return r;
    }
}

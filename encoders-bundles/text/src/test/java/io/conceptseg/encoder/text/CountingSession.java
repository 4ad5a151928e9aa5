package io.conceptseg.encoder.text;

import io.conceptseg.api.backend.DType;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelDescriptor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.model.StageSpec;
import io.conceptseg.api.model.TensorSpec;
import io.conceptseg.commons.testing.FakePackage;
import io.conceptseg.commons.testing.FunctionSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A session over a package folder with only a vocabulary, whose text stage is a function of the
 * ids (by default feature[b, l, d] = id * 100 + d, mask = attention mask); it records each run's
 * batch size.
 */
final class CountingSession extends FunctionSession {
    static final int D = 3;

    final List<Integer> batches = new CopyOnWriteArrayList<>();
    private final Function<Map<String, Tensor>, Map<String, Tensor>> stage;

    CountingSession(ModelPackage model, String backend) {
        this(model, backend, CountingSession::idFeatures);
    }

    CountingSession(ModelPackage model, String backend, Function<Map<String, Tensor>, Map<String, Tensor>> stage) {
        super(model, backend);
        this.stage = stage;
    }

    /** A package in {@code dir} with the tokenizer's test vocabulary and context length 8. */
    static ModelPackage model(Path dir, String id) {
        try {
            Files.createDirectories(dir.resolve("tokenizer"));
            Files.write(dir.resolve("tokenizer/vocab.txt"), WordPieceTokenizerTest.VOCAB);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StageSpec text = new StageSpec("text", Map.of(),
                List.of(new TensorSpec("input_ids", DType.INT64, List.of("B", "8")),
                        new TensorSpec("attention_mask", DType.INT64, List.of("B", "8"))),
                List.of(new TensorSpec("text_features", DType.FLOAT32, List.of("B", "8", "3")),
                        new TensorSpec("text_mask", DType.FLOAT32, List.of("B", "8"))));
        ModelDescriptor d = new ModelDescriptor(1, id, "test", "", new ModelDescriptor.ImageSpec(16,
                List.of(0.0, 0.0, 0.0), List.of(1.0, 1.0, 1.0)),
                new ModelDescriptor.TextSpec("wordpiece", "tokenizer/vocab.txt", 8, WordPieceTokenizerTest.SPECIAL),
                Map.of("d_model", (double) D), new ModelDescriptor.Thresholds(0.5, 0.0), "w.safetensors", "float32",
                Map.of(), Map.of("text", text));
        return new FakePackage(dir, d);
    }

    static Map<String, Tensor> idFeatures(Map<String, Tensor> in) {
        Tensor ids = in.get("input_ids");
        Tensor mask = in.get("attention_mask");
        int b = (int) ids.dim(0);
        int l = (int) ids.dim(1);
        float[] f = new float[b * l * D];
        float[] m = new float[b * l];
        for (int i = 0; i < b * l; i++) {
            for (int d = 0; d < D; d++) {
                f[i * D + d] = ids.longs()[i] * 100 + d;
            }
            m[i] = mask.longs()[i];
        }
        return Map.of("text_features", Tensor.ofFloats(f, b, l, D), "text_mask", Tensor.ofFloats(m, b, l));
    }

    int runs() { return batches.size(); }

    @Override
    protected Map<String, Tensor> run(String name, Map<String, Tensor> inputs) {
        batches.add((int) inputs.get("input_ids").dim(0));
        return stage.apply(inputs);
    }
}

package io.conceptseg.decoder;

import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.StageSpec;
import io.conceptseg.api.model.TensorSpec;
import io.conceptseg.api.stage.FusedFeatures;
import io.conceptseg.api.stage.FusionEncoder;
import io.conceptseg.api.stage.ImageEmbedding;
import io.conceptseg.api.stage.ModelSession;
import io.conceptseg.api.stage.PromptEmbedding;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * Runs the model's {@code fusion} stage: image tokens attend to the tokens of each prompt of the
 * batch. The image features the stage names (batch 1) are repeated to the prompt batch B.
 *
 * <p>A model without a {@code fusion} stage (a real SAM3 export, whose decoder contains the fusion
 * encoder) is valid: there the image features are returned unchanged, still batch 1, because the
 * decoder then does the fusion itself from the image features and the prompt tokens, and
 * {@link QueryConceptDecoder} repeats batch-1 tensors to the prompt batch when it binds them.
 */
@Component(service = FusionEncoder.class)
public final class StageFusionEncoder implements FusionEncoder {
    /** The stage this service runs. */
    static final String STAGE = "fusion";

    @Override
    public FusedFeatures fuse(ModelSession session, ImageEmbedding image, PromptEmbedding prompts) {
        if (image == null) {
            throw new InvalidInputException("image embedding", "missing: encode the image before fusing");
        }
        if (!session.hasStage(STAGE)) {
            return new FusedFeatures(image.features());
        }
        if (prompts == null) {
            throw new InvalidInputException("prompt embedding", "missing: encode the prompts before fusing");
        }
        StageSpec spec = StageBinding.spec(session, STAGE);
        int batch = (int) prompts.features().dim(0);
        Map<String, Tensor> promptTensors = Map.of("prompt_features", prompts.features(), "prompt_mask", prompts.mask());
        Map<String, Tensor> inputs = StageBinding.inputs(session, spec, batch, List.of(promptTensors, image.features()));
        Map<String, Tensor> outputs = session.runner(STAGE).run(inputs);
        Map<String, Tensor> fused = new LinkedHashMap<>();
        for (TensorSpec out : spec.outputs()) {
            fused.put(out.name(), StageBinding.output(session, STAGE, outputs, out.name()));
        }
        return new FusedFeatures(fused);
    }
}

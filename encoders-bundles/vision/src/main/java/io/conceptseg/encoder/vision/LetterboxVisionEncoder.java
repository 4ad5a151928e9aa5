package io.conceptseg.encoder.vision;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.DType;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.image.ImageData;
import io.conceptseg.api.model.ModelDescriptor;
import io.conceptseg.api.model.StageSpec;
import io.conceptseg.api.model.TensorSpec;
import io.conceptseg.api.stage.ImageEmbedding;
import io.conceptseg.api.stage.Letterbox;
import io.conceptseg.api.stage.ModelSession;
import io.conceptseg.api.stage.VisionEncoder;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * The vision encoder: letterboxes and normalises the image into the vision stage's single input
 * (f32[1, 3, S, S], named by model.json) and runs the stage on the request's backend. Stateless.
 */
@Component(service = VisionEncoder.class)
public class LetterboxVisionEncoder implements VisionEncoder {
    /** The stage this encoder runs. */
    static final String STAGE = "vision";

    @Override
    public ImageEmbedding encode(ModelSession session, ImageData image) {
        if (image == null) {
            throw new InvalidInputException("image", "no image given");
        }
        ModelDescriptor d = session.model().descriptor();
        StageSpec stage = d.stage(STAGE);
        if (stage == null) {
            throw new ModelPackageException("model " + d.id(), "model.json declares no " + STAGE + " stage");
        }
        int side = d.image().size();
        TensorSpec input = checkedInput(d.id(), stage, side);
        Letterbox letterbox = Letterbox.of(image.width(), image.height(), side);
        Tensor images = LetterboxTensor.of(image, side, d.image().mean(), d.image().std());
        Map<String, Tensor> outputs = session.runner(STAGE).run(Map.of(input.name(), images));
        for (TensorSpec out : stage.outputs()) {
            if (outputs == null || !outputs.containsKey(out.name())) {
                throw new ConceptSegException("stage " + STAGE + " on backend " + session.backendId(),
                        "returned no " + out.name() + " output");
            }
        }
        return new ImageEmbedding(image.name(), letterbox, outputs);
    }

    /** The stage's one input, checked to be [B, 3, S, S] float with S = image.size. */
    private static TensorSpec checkedInput(String modelId, StageSpec stage, int side) {
        if (stage.inputs().size() != 1) {
            throw new ModelPackageException("model " + modelId, "the " + STAGE + " stage must have one input (the image), "
                    + "model.json lists " + stage.inputs().size());
        }
        TensorSpec in = stage.inputs().get(0);
        boolean fits = in.dtype() == DType.FLOAT32 && in.shape().size() == 4
                && fixedOr(in, 1, 3) && fixedOr(in, 2, side) && fixedOr(in, 3, side);
        if (!fits) {
            throw new ModelPackageException("model " + modelId, "the " + STAGE + " input " + in.name() + " is "
                    + in.dtype().spelling() + in.shape() + ", expected float32[B, 3, " + side + ", " + side + "]");
        }
        return in;
    }

    private static boolean fixedOr(TensorSpec t, int axis, long size) {
        return !t.isFixed(axis) || t.fixed(axis) == size;
    }
}

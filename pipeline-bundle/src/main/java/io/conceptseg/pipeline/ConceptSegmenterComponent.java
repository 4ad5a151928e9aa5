package io.conceptseg.pipeline;

import io.conceptseg.api.ConceptPrompt;
import io.conceptseg.api.ConceptSegmenter;
import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.PromptResult;
import io.conceptseg.api.SegmentRequest;
import io.conceptseg.api.SegmentResult;
import io.conceptseg.api.model.ModelDescriptor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.model.ModelRegistry;
import io.conceptseg.api.stage.ConceptDecoder;
import io.conceptseg.api.stage.DecodeOptions;
import io.conceptseg.api.stage.FusedFeatures;
import io.conceptseg.api.stage.FusionEncoder;
import io.conceptseg.api.stage.ImageEmbedding;
import io.conceptseg.api.stage.PromptEmbedding;
import io.conceptseg.api.stage.PromptEncoder;
import io.conceptseg.api.stage.TextEmbedding;
import io.conceptseg.api.stage.TextEncoder;
import io.conceptseg.api.stage.VisionEncoder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Composes the stage services into the SAM3 flow: the image is encoded once, every prompt's text
 * is encoded (cached per phrase), prompts are joined with their exemplar tokens, and all prompts
 * go through fusion and decoder as one batch. A request holds its backend session from start to
 * end, so backend switches never touch it.
 */
@Component(service = {ConceptSegmenter.class, RecordingSegmenter.class})
public class ConceptSegmenterComponent implements ConceptSegmenter, RecordingSegmenter {
    @Reference
    VisionEncoder vision;
    @Reference
    TextEncoder text;
    @Reference
    PromptEncoder prompt;
    @Reference
    FusionEncoder fusion;
    @Reference
    ConceptDecoder decoder;
    @Reference
    ModelRegistry models;
    @Reference
    SessionProvider sessions;

    @Override
    public SegmentResult segment(SegmentRequest request) {
        return run(request, false).result();
    }

    /** A result with the instrumented session it ran on (for benchmarks). */
    public record Run(SegmentResult result, InstrumentedSession session) { }

    @Override
    public Run run(SegmentRequest request, boolean recordInputs) {
        ModelPackage model = modelFor(request.options().model());
        long t0 = System.nanoTime();
        LoadedSession shared = sessions.acquire(model, request.options().backend());
        double latency = Double.NaN;
        try {
            InstrumentedSession session = new InstrumentedSession(shared, recordInputs);
            Map<String, Double> millis = new LinkedHashMap<>();
            long t = System.nanoTime();
            ImageEmbedding image = vision.encode(session, request.image());
            millis.put("vision", ms(t));

            List<ConceptPrompt> prompts = request.prompts();
            List<String> phrases = prompts.stream().filter(p -> p.text() != null).map(ConceptPrompt::text).toList();
            t = System.nanoTime();
            TextEmbedding textEmbedding = phrases.isEmpty() ? null : text.encode(session, phrases);
            millis.put("text", ms(t));

            t = System.nanoTime();
            PromptEmbedding promptEmbedding = prompt.encode(session, image, prompts, textEmbedding);
            millis.put("prompt", ms(t));

            t = System.nanoTime();
            FusedFeatures fused = fusion.fuse(session, image, promptEmbedding);
            millis.put("fusion", ms(t));

            ModelDescriptor d = model.descriptor();
            double threshold = request.options().scoreThreshold() != null
                    ? request.options().scoreThreshold() : d.thresholds().score();
            t = System.nanoTime();
            List<PromptResult> results = decoder.decode(session, image, promptEmbedding, fused, prompts,
                    new DecodeOptions(threshold, d.thresholds().maskLogit()));
            double decodeMs = ms(t);
            double decoderStage = session.stageMillis().getOrDefault("decoder", 0.0);
            millis.put("decoder", decoderStage);
            millis.put("post", Math.max(0, decodeMs - decoderStage));
            latency = ms(t0);
            millis.put("total", latency);
            SegmentResult result = new SegmentResult(request.image().name(), request.image().width(),
                    request.image().height(), model.id(), shared.backendId(), results, millis);
            return new Run(result, session);
        } finally {
            shared.release(latency);
        }
    }

    ModelPackage modelFor(String id) {
        if (id == null) {
            return models.defaultModel();
        }
        return models.find(id).orElseThrow(() -> new ModelPackageException("model " + id,
                "is not installed; installed: " + models.models().stream().map(ModelPackage::id).toList()));
    }

    private static double ms(long since) { return (System.nanoTime() - since) / 1e6; }
}

package io.conceptseg.decoder;

import io.conceptseg.api.stage.PresenceHead;
import org.osgi.service.component.annotations.Component;

/**
 * The presence head of the SAM3 design: p(present) = sigmoid(presence logit) and the final score
 * of each query = sigmoid(match logit) x p(present). The sigmoid never overflows: for negative
 * arguments it is computed as e^x / (1 + e^x), so logits of any size (and +-infinity) give values
 * in [0, 1]. A NaN logit gives a NaN score, which no threshold keeps.
 */
@Component(service = PresenceHead.class)
public final class SigmoidPresenceHead implements PresenceHead {

    /** Numerically stable logistic function. */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    @Override
    public double presence(float presenceLogit) {
        return sigmoid(presenceLogit);
    }

    @Override
    public double[] scores(float[] matchLogits, float presenceLogit) {
        double present = sigmoid(presenceLogit);
        double[] scores = new double[matchLogits.length];
        for (int q = 0; q < matchLogits.length; q++) {
            scores[q] = sigmoid(matchLogits[q]) * present;
        }
        return scores;
    }
}

package io.conceptseg.pipeline;

import io.conceptseg.api.LatencyStats;
import java.util.Arrays;
import java.util.List;

/** Percentiles of latency samples (nearest rank). */
final class Latencies {
    private Latencies() { }

    static LatencyStats of(String name, List<Double> samples) {
        double[] s = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (s.length == 0) {
            return new LatencyStats(name, 0, Double.NaN, Double.NaN, Double.NaN);
        }
        return new LatencyStats(name, s.length, rank(s, 0.50), rank(s, 0.95), Arrays.stream(s).average().orElse(Double.NaN));
    }

    static double rank(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}

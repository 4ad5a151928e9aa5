package io.conceptseg.api;

/** Latency of one timed thing over repeated runs, in milliseconds.
 *
 * @param name what was timed, @param runs samples, @param p50 median, @param p95 95th percentile, @param mean mean */
public record LatencyStats(String name, int runs, double p50, double p95, double mean) {
}

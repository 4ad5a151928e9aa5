/**
 * The pure-Java CPU backend: conceptseg-sam3-mini stages as Java kernels (blocked SGEMM, im2col
 * convolution, fused attention) on the bundle's own worker threads. Private to the bundle; the
 * backend is reached only as an {@link io.conceptseg.api.backend.InferenceBackend} service.
 */
package io.conceptseg.backend.cpu;

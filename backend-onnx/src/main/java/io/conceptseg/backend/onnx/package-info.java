/**
 * The ONNX Runtime backend: one ORT session per model stage on the CPU execution provider.
 * Private to the bundle; the backend is reached only as an
 * {@link io.conceptseg.api.backend.InferenceBackend} service.
 */
package io.conceptseg.backend.onnx;

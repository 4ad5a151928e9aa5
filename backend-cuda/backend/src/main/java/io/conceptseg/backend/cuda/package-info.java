/**
 * The CUDA backend: DJL's PyTorch engine running each stage's TorchScript module on CUDA device 0,
 * or on the CPU when configured. Private to the bundle; the backend is reached only as an
 * {@link io.conceptseg.api.backend.InferenceBackend} service. DJL and libtorch come from the
 * io.conceptseg.backend.cuda.djl library bundle.
 */
package io.conceptseg.backend.cuda;

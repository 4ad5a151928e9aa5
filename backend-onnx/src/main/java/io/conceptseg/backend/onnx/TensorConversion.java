package io.conceptseg.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import io.conceptseg.api.backend.DType;
import io.conceptseg.api.backend.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/**
 * Copies tensors between the API's arrays and ORT. Each direction is one bulk copy: into a direct
 * native-order buffer that ORT then uses in place (a heap buffer would make ORT copy it again), and
 * out of ORT's native memory into the heap array the API tensor wraps.
 */
final class TensorConversion {
    private TensorConversion() { }

    /** An ORT tensor holding a copy of {@code x}; the caller closes it. */
    static OnnxTensor toOnnx(OrtEnvironment env, Tensor x) throws OrtException {
        long[] shape = x.shape();
        if (x.dtype() == DType.FLOAT32) {
            float[] data = x.floats();
            FloatBuffer buffer = ByteBuffer.allocateDirect(data.length * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
            buffer.put(data).rewind();
            return OnnxTensor.createTensor(env, buffer, shape);
        }
        long[] data = x.longs();
        LongBuffer buffer = ByteBuffer.allocateDirect(data.length * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
        buffer.put(data).rewind();
        return OnnxTensor.createTensor(env, buffer, shape);
    }

    /**
     * A copy of an ORT tensor as an API tensor.
     *
     * @throws IllegalArgumentException when its element type is neither float32 nor int64 (the load
     *         check makes that impossible for declared outputs)
     */
    static Tensor fromOnnx(OnnxTensor y) {
        TensorInfo info = y.getInfo();
        long[] shape = info.getShape();
        switch (info.type) {
            case FLOAT: {
                // getFloatBuffer() copies native memory into a fresh heap buffer: take its array as is
                FloatBuffer b = y.getFloatBuffer();
                float[] data;
                if (b.hasArray() && b.arrayOffset() == 0 && b.array().length == b.remaining()) {
                    data = b.array();
                } else {
                    data = new float[b.remaining()];
                    b.get(data);
                }
                return Tensor.ofFloats(data, shape);
            }
            case INT64: {
                LongBuffer b = y.getLongBuffer();
                long[] data;
                if (b.hasArray() && b.arrayOffset() == 0 && b.array().length == b.remaining()) {
                    data = b.array();
                } else {
                    data = new long[b.remaining()];
                    b.get(data);
                }
                return Tensor.ofLongs(data, shape);
            }
            default:
                throw new IllegalArgumentException("element type " + info.type + " is not float32 or int64");
        }
    }
}

package io.conceptseg.backend.cuda;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.conceptseg.api.backend.DType;
import io.conceptseg.api.backend.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Copies tensors between the API's arrays and DJL NDArrays. Inputs go through a direct
 * native-order buffer, which libtorch wraps in place on the CPU (a heap buffer would make DJL copy
 * it again) and copies once to a CUDA device; outputs are copied back (from the device when they
 * live on one) into the heap array the API tensor wraps.
 */
final class NdConversion {
    private NdConversion() { }

    /** An NDArray of {@code manager} (and on its device) holding a copy of {@code x}. */
    static NDArray toNd(NDManager manager, Tensor x) {
        Shape shape = new Shape(x.shape());
        if (x.dtype() == DType.FLOAT32) {
            float[] data = x.floats();
            ByteBuffer buffer = ByteBuffer.allocateDirect(data.length * Float.BYTES).order(ByteOrder.nativeOrder());
            buffer.asFloatBuffer().put(data);
            return manager.create(buffer, shape, DataType.FLOAT32);
        }
        long[] data = x.longs();
        ByteBuffer buffer = ByteBuffer.allocateDirect(data.length * Long.BYTES).order(ByteOrder.nativeOrder());
        buffer.asLongBuffer().put(data);
        return manager.create(buffer, shape, DataType.INT64);
    }

    /** The API element type of an NDArray, or null for any other (float16, int32, bool, ...). */
    static DType dtypeOf(NDArray y) {
        DataType t = y.getDataType();
        if (t == DataType.FLOAT32) {
            return DType.FLOAT32;
        }
        if (t == DataType.INT64) {
            return DType.INT64;
        }
        return null;
    }

    /**
     * A copy of an NDArray as an API tensor.
     *
     * @throws IllegalArgumentException when its element type is neither float32 nor int64
     */
    static Tensor fromNd(NDArray y) {
        long[] shape = y.getShape().getShape();
        DType dtype = dtypeOf(y);
        if (dtype == DType.FLOAT32) {
            return Tensor.ofFloats(y.toFloatArray(), shape);
        }
        if (dtype == DType.INT64) {
            return Tensor.ofLongs(y.toLongArray(), shape);
        }
        throw new IllegalArgumentException("element type " + y.getDataType() + " is not float32 or int64");
    }
}

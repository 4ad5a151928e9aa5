package io.conceptseg.backend.cpu;

import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.backend.DType;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.commons.safetensors.SafeTensors;
import java.util.Arrays;

/**
 * The weights file of a package (memory-mapped by {@link SafeTensors}; half-precision tensors are
 * widened to float as they are read), read tensor by tensor, each checked against the shape the
 * architecture needs with the package's dims.
 */
final class WeightFile {
    private final SafeTensors file;

    WeightFile(SafeTensors file) {
        this.file = file;
    }

    /**
     * The float data of tensor {@code name}, which must have exactly {@code shape}.
     *
     * @throws ModelPackageException naming the file and the tensor when it is missing, has another
     *         shape, or is not a floating-point tensor
     */
    float[] get(String name, int... shape) {
        long[] expected = Arrays.stream(shape).asLongStream().toArray();
        SafeTensors.Entry e = file.entries().get(name);
        if (e == null) {
            throw new ModelPackageException(file.file().toString(), "has no tensor '" + name + "' (the "
                    + Dims.ARCHITECTURE + " architecture needs it with shape " + Arrays.toString(expected)
                    + " for the dims of model.json)");
        }
        if (!Arrays.equals(e.shape(), expected)) {
            throw new ModelPackageException(file.file().toString(), "tensor '" + name + "' has shape "
                    + Arrays.toString(e.shape()) + ", but the dims of model.json make the architecture need "
                    + Arrays.toString(expected));
        }
        Tensor t = file.tensor(name);
        if (t.dtype() != DType.FLOAT32) {
            throw new ModelPackageException(file.file().toString(), "tensor '" + name + "' is " + e.dtype()
                    + ", not a floating-point tensor");
        }
        return t.floats();
    }

    /** A linear layer {@code name}.weight [out, in] and {@code name}.bias [out]. */
    Linear linear(String name, int out, int in) {
        return new Linear(get(name + ".weight", out, in), get(name + ".bias", out), out, in);
    }

    /** A LayerNorm {@code name}.weight / .bias [c]. */
    Norm norm(String name, int c, float eps) {
        return new Norm(get(name + ".weight", c), get(name + ".bias", c), eps);
    }

    /** A square convolution {@code name}.weight [out, in, k, k] / .bias [out]; padding k/2. */
    Conv2d conv(String name, int out, int in, int kernel, int stride) {
        return new Conv2d(get(name + ".weight", out, in, kernel, kernel), get(name + ".bias", out), out, in, kernel, stride,
                kernel / 2);
    }

    /** An attention block {@code name}.{q,k,v,out}_proj with E = width. */
    Attention attention(String name, int width, int heads, float negative) {
        return new Attention(linear(name + ".q_proj", width, width), linear(name + ".k_proj", width, width),
                linear(name + ".v_proj", width, width), linear(name + ".out_proj", width, width), heads, negative);
    }

    /** A LayerNorm's parameters. */
    record Norm(float[] gamma, float[] beta, float eps) {
        /** LayerNorm of the rows of x [rows, c]; a new array. */
        float[] apply(WorkerPool pool, float[] x, int rows) {
            return Ops.layerNorm(pool, x, rows, gamma.length, gamma, beta, eps);
        }
    }
}

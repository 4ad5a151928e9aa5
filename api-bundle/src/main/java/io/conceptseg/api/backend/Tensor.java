package io.conceptseg.api.backend;

import java.util.Arrays;

/**
 * A dense row-major tensor exchanged between the pipeline and a backend: a shape and either a
 * float or a long array. Backends copy into their native form; the arrays are not modified after
 * construction by convention.
 */
public final class Tensor {
    private final DType dtype;
    private final long[] shape;
    private final float[] floats;
    private final long[] longs;

    private Tensor(DType dtype, long[] shape, float[] floats, long[] longs) {
        long n = elementCount(shape);
        long len = floats != null ? floats.length : longs.length;
        if (n != len) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " elements, got " + len);
        }
        this.dtype = dtype;
        this.shape = shape.clone();
        this.floats = floats;
        this.longs = longs;
    }

    /** A float tensor over {@code data} (not copied). */
    public static Tensor ofFloats(float[] data, long... shape) { return new Tensor(DType.FLOAT32, shape, data, null); }

    /** An int64 tensor over {@code data} (not copied). */
    public static Tensor ofLongs(long[] data, long... shape) { return new Tensor(DType.INT64, shape, null, data); }

    /** Number of elements of a shape. */
    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }

    /** Element type. */
    public DType dtype() { return dtype; }

    /** A copy of the shape. */
    public long[] shape() { return shape.clone(); }

    /** One dimension. */
    public long dim(int i) { return shape[i]; }

    /** Rank. */
    public int rank() { return shape.length; }

    /** Number of elements. */
    public int size() { return dtype == DType.FLOAT32 ? floats.length : longs.length; }

    /** The float data; throws for an int64 tensor. */
    public float[] floats() {
        if (floats == null) {
            throw new IllegalStateException("tensor is " + dtype + ", not FLOAT32");
        }
        return floats;
    }

    /** The int64 data; throws for a float tensor. */
    public long[] longs() {
        if (longs == null) {
            throw new IllegalStateException("tensor is " + dtype + ", not INT64");
        }
        return longs;
    }

    /** Repeats a batch-1 tensor {@code n} times along axis 0 (an image shared by n prompts). */
    public Tensor repeatBatch(int n) {
        if (shape[0] != 1) {
            throw new IllegalStateException("repeatBatch needs batch 1, shape is " + Arrays.toString(shape));
        }
        long[] s = shape.clone();
        s[0] = n;
        if (dtype == DType.FLOAT32) {
            float[] out = new float[floats.length * n];
            for (int i = 0; i < n; i++) {
                System.arraycopy(floats, 0, out, i * floats.length, floats.length);
            }
            return ofFloats(out, s);
        }
        long[] out = new long[longs.length * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(longs, 0, out, i * longs.length, longs.length);
        }
        return ofLongs(out, s);
    }

    /** The slice {@code [b]} along axis 0, as a float array (copied). */
    public float[] batchFloats(int b) {
        int per = floats().length / (int) shape[0];
        return Arrays.copyOfRange(floats, b * per, (b + 1) * per);
    }

    @Override
    public String toString() { return "Tensor[" + dtype + " " + Arrays.toString(shape) + "]"; }
}

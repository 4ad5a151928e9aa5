package io.conceptseg.backend.cpu;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The kernels at the sizes of the default model (image 256, D 128, F 512, vision widths 32..256),
 * parameterised by shape and thread count. {@link BenchMain} turns the times into GFLOP/s with
 * {@link #flops}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class KernelBench {
    /** The worker pool of a trial. */
    @State(Scope.Benchmark)
    public abstract static class Pooled {
        /** Worker threads; 0 = one per processor. */
        @Param({"1", "0"})
        public int threads;

        WorkerPool pool;

        void startPool() {
            pool = new WorkerPool(threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
        }

        @TearDown(Level.Trial)
        public void stopPool() {
            pool.close();
        }
    }

    /** A linear layer "rows x in x out": fusion projections (256 tokens), FFN in and out, decoder queries (49 tokens). */
    public static class LinearCase extends Pooled {
        @Param({"256x128x128", "256x128x512", "256x512x128", "49x128x128"})
        public String linear;

        Linear layer;
        float[] input;
        int rows;

        @Setup(Level.Trial)
        public void setUp() {
            startPool();
            Random r = new Random(1);
            int[] l = ints(linear, "x");
            rows = l[0];
            layer = new Linear(random(r, l[2] * l[1]), random(r, l[2]), l[2], l[1]);
            input = random(r, l[0] * l[1]);
        }
    }

    /**
     * A convolution "in>out@side/kernel/stride": a stride-2 stage conv, two stride-1 stage convs
     * (Winograd), a 1x1 lateral, the decoder's stride-4 pixel conv (the largest of the model).
     */
    public static class ConvCase extends Pooled {
        @Param({"64>128@64/3/2", "128>128@32/3/1", "256>256@16/3/1", "64>128@64/1/1", "128>128@64/3/1"})
        public String conv;

        Conv2d layer;
        float[] input;
        int side;

        @Setup(Level.Trial)
        public void setUp() {
            startPool();
            Random r = new Random(1);
            ConvShape c = ConvShape.parse(conv);
            side = c.side;
            layer = new Conv2d(random(r, c.out * c.in * c.kernel * c.kernel), random(r, c.out), c.out, c.in, c.kernel, c.stride,
                    c.kernel / 2);
            input = random(r, c.in * c.side * c.side);
        }
    }

    /** The linear layer: blocked SGEMM against the pre-packed weight panels. */
    @Benchmark
    public float[] sgemmLinear(LinearCase c) {
        return c.layer.apply(c.pool, c.input, c.rows);
    }

    /** The convolution as the backend runs it (Winograd for 3x3 stride 1, else im2col + SGEMM). */
    @Benchmark
    public float[] conv(ConvCase c) {
        return c.layer.apply(c.pool, c.input, 0, c.side, c.side, false);
    }

    /** The same convolution through im2col + SGEMM, to compare with Winograd. */
    @Benchmark
    public float[] convIm2col(ConvCase c) {
        return c.layer.applyIm2col(c.pool, c.input, 0, c.side, c.side, false);
    }

    /** Nominal FLOPs of one call: 2·M·N·K of the direct product, whatever algorithm runs. */
    static double flops(String method, String linear, String conv) {
        if (method.equals("sgemmLinear")) {
            int[] l = ints(linear, "x");
            return 2.0 * l[0] * l[1] * l[2];
        }
        ConvShape c = ConvShape.parse(conv);
        int o = (c.side + 2 * (c.kernel / 2) - c.kernel) / c.stride + 1;
        return 2.0 * c.out * c.in * c.kernel * c.kernel * o * o;
    }

    record ConvShape(int in, int out, int side, int kernel, int stride) {
        static ConvShape parse(String s) {
            String[] io = s.split("@")[0].split(">");
            int[] rest = ints(s.split("@")[1], "/");
            return new ConvShape(Integer.parseInt(io[0]), Integer.parseInt(io[1]), rest[0], rest[1], rest[2]);
        }
    }

    static int[] ints(String s, String sep) {
        String[] p = s.split(sep);
        int[] v = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            v[i] = Integer.parseInt(p[i]);
        }
        return v;
    }

    static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }
}

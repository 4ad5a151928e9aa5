package io.conceptseg.backend.cpu;

import io.conceptseg.api.backend.DType;
import io.conceptseg.api.backend.StageRunner;
import io.conceptseg.api.backend.Tensor;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.commons.model.ModelPackages;
import io.conceptseg.commons.safetensors.SafeTensors;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
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
 * Whole stages of a model package on the CPU backend, batch 1 (the first element of each stage's
 * fixture inputs). The package is {@code -p pkg=<folder>}, by default the repository's
 * inspection-tiny; a default-size package is exported with
 * {@code python3 -m conceptseg_train.export --preset default --seed 0 --out /tmp/pkg-default}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx2g"})
public class StageBench {
    /** The package folder; empty = model-inspection/packages/inspection-tiny. */
    @Param({""})
    public String pkg;

    @Param({"vision", "text", "geometry", "fusion", "decoder"})
    public String stage;

    /** Worker threads; 0 = one per processor. */
    @Param({"1", "0"})
    public int threads;

    private CpuBackend backend;
    private StageRunner runner;
    private Map<String, Tensor> inputs;

    @Setup(Level.Trial)
    public void setUp() {
        Path root = pkg.isEmpty()
                ? Path.of(System.getProperty("conceptseg.root", "..")).resolve("model-inspection/packages/inspection-tiny")
                : Path.of(pkg);
        ModelPackage model = ModelPackages.open(root, root.toString());
        backend = new CpuBackend();
        backend.configure(null, threads);
        runner = backend.load(model, stage);
        SafeTensors fixture = SafeTensors.open(model.file(model.descriptor().stage(stage).file("fixture")));
        inputs = new HashMap<>();
        for (String name : fixture.names()) {
            if (name.startsWith("input.")) {
                Tensor t = fixture.tensor(name);
                long[] shape = t.shape();
                shape[0] = 1;
                inputs.put(name.substring("input.".length()), t.dtype() == DType.FLOAT32
                        ? Tensor.ofFloats(t.batchFloats(0), shape)
                        : Tensor.ofLongs(Arrays.copyOf(t.longs(), t.size() / (int) t.dim(0)), shape));
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        runner.close();
        backend.deactivate();
    }

    @Benchmark
    public Map<String, Tensor> run() {
        return runner.run(inputs);
    }
}

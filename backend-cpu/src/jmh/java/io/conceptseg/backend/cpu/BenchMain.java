package io.conceptseg.backend.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link KernelBench} and prints each result as GFLOP/s next to an estimate of the machine's
 * peak, so the figures can be judged. Arguments are JMH's own command line (a benchmark regex,
 * {@code -p threads=1}, {@code -wi 1 -i 3}, ...); without a regex every KernelBench benchmark runs.
 */
public final class BenchMain {
    private BenchMain() { }

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        List<String> list = new ArrayList<>();
        for (String a : args) {
            if (!a.isBlank()) {
                list.addAll(List.of(a.trim().split("\\s+")));
            }
        }
        CommandLineOptions cli = new CommandLineOptions(list.toArray(new String[0]));
        Options options = cli.getIncludes().isEmpty()
                ? new OptionsBuilder().parent(cli).include(KernelBench.class.getSimpleName()).build()
                : cli;
        Collection<RunResult> results = new Runner(options).run();
        Peak peak = Peak.estimate();
        System.out.println();
        System.out.println("Peak estimate: " + peak.explanation());
        System.out.printf(Locale.ROOT, "%-12s %-14s %-15s %-7s %10s %9s %8s%n", "benchmark", "linear", "conv", "threads",
                "us/call", "GFLOP/s", "of peak");
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            String method = name.substring(name.lastIndexOf('.') + 1);
            if (name.contains("StageBench")) {
                System.out.printf(Locale.ROOT, "stage %-9s threads %-3s %10.2f ms/run%n", r.getParams().getParam("stage"),
                        r.getParams().getParam("threads"), r.getPrimaryResult().getScore());
                continue;
            }
            String linear = r.getParams().getParam("linear");
            String conv = r.getParams().getParam("conv");
            boolean isLinear = method.equals("sgemmLinear");
            int threads = Integer.parseInt(r.getParams().getParam("threads"));
            int used = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
            double micros = r.getPrimaryResult().getScore();
            double gflops = KernelBench.flops(method, linear, conv) / (micros * 1e3);
            double machinePeak = peak.perCoreGflops() * Math.min(used, peak.cores());
            System.out.printf(Locale.ROOT, "%-12s %-14s %-15s %-7d %10.1f %9.1f %7.0f%%%n", method,
                    isLinear ? linear : "-", isLinear ? "-" : conv, used, micros, gflops,
                    100 * gflops / machinePeak);
        }
    }

    /** cores × GHz × FLOPs per cycle, read from /proc/cpuinfo where there is one. */
    record Peak(int cores, double ghz, int flopsPerCycle, String explanation) {
        double perCoreGflops() {
            return ghz * flopsPerCycle;
        }

        static Peak estimate() {
            int cores = Runtime.getRuntime().availableProcessors();
            double mhz = 0;
            String flags = "";
            String model = "unknown CPU";
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (line.startsWith("cpu MHz") && mhz == 0) {
                        mhz = Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
                    } else if (line.startsWith("flags") && flags.isEmpty()) {
                        flags = " " + line.substring(line.indexOf(':') + 1).trim() + " ";
                    } else if (line.startsWith("model name") && model.equals("unknown CPU")) {
                        model = line.substring(line.indexOf(':') + 1).trim();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no /proc/cpuinfo: fall through to the defaults below
            }
            if (mhz == 0) {
                mhz = 2500;
            }
            // 2 FMA pipes x 8 float lanes (256-bit) x 2 FLOPs per FMA = 32 with AVX2+FMA; without FMA,
            // one 8-lane multiply and one 8-lane add per cycle = 16; SSE only: 8
            boolean avx2 = flags.contains(" avx2 ");
            boolean fma = flags.contains(" fma ");
            int perCycle = avx2 && fma ? 32 : flags.contains(" avx ") ? 16 : 8;
            String how = String.format(Locale.ROOT,
                    "%d cores x %.2f GHz (/proc/cpuinfo 'cpu MHz', the clock the kernel reports, not a boost clock) x %d FLOP/cycle"
                            + " (%s) = %.0f GFLOP/s (%.1f per core) on %s%s",
                    cores, mhz / 1000, perCycle,
                    avx2 && fma ? "flags avx2+fma: 2 FMA pipes x 8 float lanes x 2" : "no avx2+fma in the flags",
                    cores * mhz / 1000 * perCycle, mhz / 1000 * perCycle, model,
                    flags.contains(" avx512f ") ? "; avx512f is present too, but the estimate stays at AVX2 FMA (AMD Zen 4"
                            + " runs 512-bit FMAs as two 256-bit halves, and C2 rarely beats it)" : "");
            return new Peak(cores, mhz / 1000, perCycle, how);
        }
    }
}

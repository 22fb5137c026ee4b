package ai.preempt.cli;

import ai.preempt.data.ImageIo;
import ai.preempt.data.LabeledImages;
import ai.preempt.spark.SparkBenchmark;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code preempt bench spark}. */
@Command(name = "spark", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time the Spark protect job against the single-machine path on the same images: images/s at "
                + "each --masters entry, the scaling from the first to the last, and the per-image overhead against "
                + "protecting the images one by one in this JVM as 'preempt robustify --batch 1' does."})
final class BenchSparkCommand implements Callable<Integer> {

    @Mixin CommonOptions common;
    @Mixin ModelOption modelOption;
    @Mixin RobustifyOptions robustifyOptions;
    @Mixin SparkOptions sparkOptions;
    @Mixin DataOptions dataOptions;

    @Option(names = "--n", defaultValue = "40",
            description = "Without --input: a seeded subset of this many CIFAR-10 test images, written as a "
                    + "class-per-folder PNG tree into WORK/input (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--masters", defaultValue = "local[1];local[2]", split = ";",
            description = "Spark masters to time, separated by ; in order (default: ${DEFAULT-VALUE}).")
    List<String> masters;

    @Option(names = "--warm-up-reruns", defaultValue = "10", paramLabel = "N",
            description = "Per master, re-run the finished warm-up job N times before timing: they protect nothing but "
                    + "let the JIT compile Spark's per-job code, as in a long job (default: ${DEFAULT-VALUE}).")
    int warmUpReruns;

    @Option(names = "--work", required = true, paramLabel = "DIR", description = "Scratch folder (emptied per run).")
    String work;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the figures here.")
    Path json;

    @Override
    public Integer call() throws Exception {
        if (sparkOptions.input == null) {
            sparkOptions.input = writeSubset(Path.of(work, "input")).toString();
        }
        ai.preempt.spark.SparkJobConfig cfg = sparkOptions.config(modelOption, robustifyOptions, work);
        SparkBenchmark.Result r = SparkOptions.withSpark(() -> SparkBenchmark.run(cfg, masters, warmUpReruns));
        System.out.printf(Locale.ROOT, "%d images; single machine (robustify --batch 1 path): %.4f s/image, CPU %.4f "
                + "s/image (before the Spark runs %.4f s, CPU %.4f s; after %.4f s, CPU %.4f s)%n", r.images(),
                r.singleSecondsPerImage(), r.singleCpuPerImage(), r.singleBefore().secondsPerImage(),
                r.singleBefore().cpuPerImage(), r.singleAfter().secondsPerImage(), r.singleAfter().cpuPerImage());
        for (SparkBenchmark.SparkRun run : r.runs()) {
            System.out.printf(Locale.ROOT, "%-10s protect stage %.4f s/image (%.2f images/s), CPU %.4f s/image: overhead "
                    + "vs single machine %+.1f%%, CPU %+.1f%%; re-run protecting nothing %.2f s (CPU %.2f s), overhead "
                    + "without it %+.1f%%; whole job %.1f s; session start %.1f s%n", run.master(),
                    run.protect().secondsPerImage(), run.summary().imagesPerSecond(), run.protect().cpuPerImage(),
                    100 * run.overhead(), 100 * run.cpuOverhead(), run.rerun().seconds(), run.rerun().cpuSeconds(),
                    100 * run.protectOnlyOverhead(), run.summary().totalSeconds(), run.startSeconds());
        }
        System.out.printf(Locale.ROOT, "scaling %s -> %s: %.2fx%n", r.runs().get(0).master(),
                r.runs().get(r.runs().size() - 1).master(), r.scaling());
        if (json != null) {
            Reports.writeJson(json, SparkBenchmark.toMap(r));
        }
        return 0;
    }

    /** Writes the seeded CIFAR-10 test subset as DIR/CLASS/cifar-INDEX.png (skipping files that exist). */
    private Path writeSubset(Path dir) {
        LabeledImages d = dataOptions.testSubset(n, robustifyOptions.seed);
        for (int i = 0; i < d.size(); i++) {
            Path f = dir.resolve(d.classes().get(d.label(i))).resolve(String.format(Locale.ROOT, "cifar-%05d.png", d.index(i)));
            if (!java.nio.file.Files.exists(f)) {
                ImageIo.writePng(f, d.image(i));
            }
        }
        return dir;
    }
}

package ai.preempt.cli;

import ai.preempt.bench.CertifyBenchmark;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.model.Classifier;
import ai.preempt.model.ModelCard;
import ai.preempt.model.Models;
import ai.preempt.model.NativeClassifier;
import ai.preempt.smoothing.SmoothedClassifier;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code preempt bench certify}. */
@Command(name = "certify", mixinStandardHelpOptions = true,
        description = "Certification throughput: noise samples per second through CERTIFY, and its ratio to plain "
                + "forward passes per second of the same model at the same batch size.")
final class BenchCertifyCommand implements Callable<Integer> {

    @Mixin CommonOptions common;
    @Mixin SmoothingOptions smoothing;

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "A model spec as for other commands; default: a freshly initialised --arch model.")
    String model;

    @Option(names = "--arch", defaultValue = "resnet20", description = "Architecture of the fresh model when --model is absent (default: ${DEFAULT-VALUE}).")
    String arch;

    @Option(names = "--images", defaultValue = "2", description = "Random images to certify (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        SmoothedClassifier.Builder b = smoothing.builder(seed);
        try (Classifier f = model != null ? Models.load(model) : fresh()) {
            SmoothedClassifier g = b.setBase(f).build();
            CertifyBenchmark.Result r = CertifyBenchmark.measure(g, images, seed);
            System.out.printf(Locale.ROOT, "model %s, batch %d, %d threads, %d noise samples%n", f.name(), r.batch(),
                    PreemptEngine.threads(), r.samples());
            System.out.printf(Locale.ROOT, "forward passes  %10.1f images/s%n", r.forwardsPerSecond());
            System.out.printf(Locale.ROOT, "certify         %10.1f noise samples/s%n", r.samplesPerSecond());
            System.out.printf(Locale.ROOT, "ratio           %10.3f%n", r.ratio());
        }
        return 0;
    }

    private Classifier fresh() {
        ModelCard card = new ModelCard(arch, arch, null, ModelCard.CIFAR_MEAN, ModelCard.CIFAR_STD, List.of(3, 32, 32),
                ModelCard.CIFAR_CLASSES, "untrained, for benchmarks", null, null, null);
        return NativeClassifier.create(card, seed);
    }
}

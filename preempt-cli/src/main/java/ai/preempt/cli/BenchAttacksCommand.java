package ai.preempt.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.preempt.attack.AutoAttack;
import ai.preempt.bench.AttackBenchmark;
import ai.preempt.data.LabeledImages;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.eval.AutoAttackEvaluation;
import ai.preempt.model.Classifier;
import ai.preempt.report.AutoAttackReport;
import ai.preempt.threat.ThreatModel;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code preempt bench attacks}. */
@Command(name = "attacks", mixinStandardHelpOptions = true,
        description = "APGD-CE iterations/s vs PGD iterations/s on the same batch (the ratio should be near 1), "
                + "then the wall time of a full AutoAttack standard run on --n images.")
final class BenchAttacksCommand implements Callable<Integer> {

    @Mixin CommonOptions common;
    @Mixin ModelOption modelOption;
    @Mixin DataOptions dataOptions;
    @Mixin ThreatOptions threatOptions;

    @Option(names = "--batch", defaultValue = "50", description = "Images in the throughput batch and AA batches (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--iterations", defaultValue = "20", description = "Iterations timed for PGD and APGD-CE (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--rounds", defaultValue = "3", description = "Alternating timing rounds; the fastest of each counts (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--n", defaultValue = "100", description = "Images for the AutoAttack run; 0 skips it (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the subset and the attacks (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        ThreatModel threat = threatOptions.threat();
        LabeledImages data = dataOptions.testSubset(Math.max(n, batch), seed);
        try (Classifier f = modelOption.load()) {
            System.out.printf(Locale.ROOT, "model %s, %s, %d threads%n", f.name(), threat.describe(),
                    PreemptEngine.threads());
            AttackBenchmark.Comparison c = PreemptEngine.call(() -> {
                try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                    int b = Math.min(batch, data.size());
                    NDArray x = data.images(m, 0, b);
                    NDArray y = data.labels(m, 0, b);
                    return AttackBenchmark.apgdVsPgd(f, threat, x, y, iterations, rounds);
                }
            });
            System.out.printf(Locale.ROOT, "PGD      %6.2f it/s  (%d iterations, batch %d, best of %d: %.2f s)%n",
                    c.pgd().iterationsPerSecond(), iterations, c.pgd().images(), rounds, c.pgd().seconds());
            System.out.printf(Locale.ROOT, "APGD-CE  %6.2f it/s  (%d iterations, batch %d, best of %d: %.2f s)%n",
                    c.apgd().iterationsPerSecond(), iterations, c.apgd().images(), rounds, c.apgd().seconds());
            System.out.printf(Locale.ROOT, "ratio APGD-CE / PGD = %.3f%n", c.ratio());
            if (n > 0) {
                AutoAttack aa = AutoAttack.builder().setThreat(threat).optSeed(seed).build();
                Map<String, Object> config = new LinkedHashMap<>();
                AutoAttackReport r = AutoAttackEvaluation.run(f, aa, data.head(n), batch, config,
                        ConsoleProgress.create(), null);
                System.out.printf(Locale.ROOT, "AutoAttack standard on %d images: %.1f s (%.2f s/image); clean %.2f%%, "
                        + "robust %.2f%%, successes %s%n", r.n(), r.seconds(), r.seconds() / r.n(),
                        100 * r.cleanAccuracy(), 100 * r.robustAccuracy(), r.componentSuccesses());
            }
        }
        return 0;
    }
}

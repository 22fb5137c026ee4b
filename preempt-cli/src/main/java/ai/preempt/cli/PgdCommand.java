package ai.preempt.cli;

import ai.preempt.attack.Pgd;
import ai.preempt.data.LabeledImages;
import ai.preempt.eval.AttackEvaluation;
import ai.preempt.eval.AttackReport;
import ai.preempt.model.Classifier;
import ai.preempt.threat.RandomStart;
import ai.preempt.threat.ThreatModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code preempt attack pgd}. */
@Command(name = "pgd", mixinStandardHelpOptions = true,
        description = "Projected gradient descent (Madry et al.): K steps of size eps/4 from a random start, "
                + "with optional restarts. Prints clean and robust accuracy; --json writes per-image results.")
final class PgdCommand implements Callable<Integer> {

    @Mixin CommonOptions common;
    @Mixin ModelOption modelOption;
    @Mixin DataOptions dataOptions;
    @Mixin ThreatOptions threatOptions;

    @Option(names = "--n", defaultValue = "1000", description = "Images: a seeded random subset of the test split (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--steps", defaultValue = "20", description = "PGD steps K (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--alpha", description = "Step size (default: eps/4).")
    String alpha;

    @Option(names = "--restarts", defaultValue = "1", description = "Random restarts; robust only if all fail (default: ${DEFAULT-VALUE}).")
    int restarts;

    @Option(names = "--start", defaultValue = "sphere",
            description = "Random start: sphere (the reference: linf box, l2 on the sphere), ball (the paper), none (default: ${DEFAULT-VALUE}).")
    String start;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the subset and the random starts (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch", defaultValue = "100", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the JSON report here.")
    Path json;

    @Override
    public Integer call() throws Exception {
        ThreatModel threat = threatOptions.threat();
        RandomStart rs = RandomStart.valueOf(start.toUpperCase(Locale.ROOT));
        Pgd.Builder b = Pgd.builder().setThreat(threat).optSteps(steps).optRestarts(restarts).optRandomStart(rs)
                .optSeed(seed);
        if (alpha != null) {
            b.optStepSize(ai.preempt.threat.Budget.parse(alpha, "--alpha"));
        }
        Pgd pgd = b.build();
        try (Classifier f = modelOption.load()) {
            LabeledImages data = dataOptions.testSubset(n, seed);
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("model", modelOption.model);
            config.put("norm", threat.norm().id());
            config.put("eps", threat.eps());
            config.put("steps", pgd.steps());
            config.put("alpha", pgd.stepSize());
            config.put("restarts", pgd.restarts());
            config.put("random_start", rs.name().toLowerCase(Locale.ROOT));
            config.put("n", data.size());
            config.put("subset_seed", seed);
            config.put("seed", seed);
            config.put("batch", batch);
            AttackReport report = AttackEvaluation.run(f, pgd, data, batch, config, ConsoleProgress.create());
            System.out.printf(Locale.ROOT, "model %s, %s, %d images%n", f.name(), pgd, data.size());
            System.out.printf(Locale.ROOT, "clean accuracy  %.2f%%%n", 100 * report.cleanAccuracy());
            System.out.printf(Locale.ROOT, "robust accuracy %.2f%%%n", 100 * report.robustAccuracy());
            Reports.writeJson(json, report);
        }
        return 0;
    }
}

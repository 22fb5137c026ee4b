package ai.preempt.cli;

import ai.preempt.attack.Pgd;
import ai.preempt.data.LabeledImages;
import ai.preempt.eval.AttackEvaluation;
import ai.preempt.model.Classifier;
import ai.preempt.report.AttackReport;
import ai.preempt.threat.RandomStart;
import ai.preempt.threat.ThreatModel;
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

    @Mixin AttackRunOptions run;

    @Option(names = "--steps", defaultValue = "20", description = "PGD steps K (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--alpha", description = "Step size (default: eps/4).")
    String alpha;

    @Option(names = "--restarts", defaultValue = "1", description = "Random restarts; robust only if all fail (default: ${DEFAULT-VALUE}).")
    int restarts;

    @Option(names = "--start", defaultValue = "sphere",
            description = "Random start: sphere (the reference: linf box, l2 on the sphere), ball (the paper), none (default: ${DEFAULT-VALUE}).")
    String start;


    @Override
    public Integer call() throws Exception {
        ThreatModel threat = run.threatOptions.threat();
        long seed = run.seed;
        RandomStart rs = RandomStart.valueOf(start.toUpperCase(Locale.ROOT));
        Pgd.Builder b = Pgd.builder().setThreat(threat).optSteps(steps).optRestarts(restarts).optRandomStart(rs)
                .optSeed(seed);
        if (alpha != null) {
            b.optStepSize(ai.preempt.threat.Budget.parse(alpha, "--alpha"));
        }
        Pgd pgd = b.build();
        try (Classifier model = run.modelOption.load()) {
            LabeledImages data = run.testImages(model);
            Classifier f = run.server(model, data);
            Map<String, Object> config = run.config(f, threat);
            config.put("steps", pgd.steps());
            config.put("alpha", pgd.stepSize());
            config.put("restarts", pgd.restarts());
            config.put("random_start", rs.name().toLowerCase(Locale.ROOT));
            run.recordRun(config, data);
            AttackReport report = AttackEvaluation.run(f, pgd, data, run.batch, config, ConsoleProgress.create());
            System.out.printf(Locale.ROOT, "model %s, %s, %d images%n", f.name(), pgd, data.size());
            System.out.printf(Locale.ROOT, "clean accuracy  %.2f%%%n", 100 * report.cleanAccuracy());
            System.out.printf(Locale.ROOT, "robust accuracy %.2f%%%n", 100 * report.robustAccuracy());
            Reports.writeJson(run.json, report);
        }
        return 0;
    }
}

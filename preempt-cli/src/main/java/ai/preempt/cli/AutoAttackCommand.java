package ai.preempt.cli;

import ai.preempt.attack.AutoAttack;
import ai.preempt.data.LabeledImages;
import ai.preempt.eval.AutoAttackEvaluation;
import ai.preempt.model.Classifier;
import ai.preempt.report.AutoAttackReport;
import ai.preempt.threat.ThreatModel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code preempt attack autoattack}. */
@Command(name = "autoattack", mixinStandardHelpOptions = true,
        description = "AutoAttack \"standard\" (Croce & Hein 2020): APGD-CE, APGD-T, FAB-T, then Square, each on the "
                + "images all earlier ones failed on; robust only if all fail. Seeded. Prints clean and robust "
                + "accuracy, per-component successes and gradient-masking warnings; --state makes a run resumable.")
final class AutoAttackCommand implements Callable<Integer> {

    @Mixin AttackRunOptions run;

    @Option(names = "--iterations", defaultValue = "100", description = "Iterations of APGD-CE, APGD-T and FAB-T (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--targets", defaultValue = "9", description = "Target classes of APGD-T and FAB-T (default: ${DEFAULT-VALUE}).")
    int targets;

    @Option(names = "--queries", defaultValue = "5000", description = "Square's query budget (default: ${DEFAULT-VALUE}).")
    int queries;


    @Option(names = "--state", paramLabel = "FILE",
            description = "Save per-image progress here after every batch; if the file exists, resume from it.")
    Path state;

    @Override
    public Integer call() throws Exception {
        ThreatModel threat = run.threatOptions.threat();
        long seed = run.seed;
        AutoAttack aa = AutoAttack.builder().setThreat(threat).optIterations(iterations).optTargetClasses(targets)
                .optSquareQueries(queries).optSeed(seed).build();
        try (Classifier model = run.modelOption.load()) {
            LabeledImages data = run.testImages(model);
            Classifier f = run.server(model, data);
            Map<String, Object> config = run.config(f, threat);
            config.put("version", aa.version());
            config.put("iterations", iterations);
            config.put("targets", targets);
            config.put("queries", queries);
            run.recordRun(config, data);
            config.put("state", state == null ? null : state.toString());
            AutoAttackReport report = AutoAttackEvaluation.run(f, aa, data, run.batch, config, ConsoleProgress.create(),
                    state);
            System.out.printf(Locale.ROOT, "model %s, AutoAttack %s %s, seed %d, %d images%n", f.name(), aa.version(),
                    threat.describe(), seed, data.size());
            System.out.printf(Locale.ROOT, "clean accuracy  %.2f%%%n", 100 * report.cleanAccuracy());
            for (Map.Entry<String, Integer> e : report.componentSuccesses().entrySet()) {
                System.out.printf(Locale.ROOT, "  %-8s fooled %4d  -> robust %.2f%%%n", e.getKey(), e.getValue(),
                        100 * report.robustAfter().get(e.getKey()));
            }
            System.out.printf(Locale.ROOT, "robust accuracy %.2f%%%n", 100 * report.robustAccuracy());
            for (String w : report.checks().warnings()) {
                System.out.println("warning: " + w);
            }
            Reports.writeJson(run.json, report);
        }
        return 0;
    }
}

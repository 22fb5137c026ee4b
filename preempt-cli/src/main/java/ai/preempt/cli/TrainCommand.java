package ai.preempt.cli;

import ai.preempt.attack.Pgd;
import ai.preempt.data.LabeledImages;
import ai.preempt.data.Split;
import ai.preempt.eval.AttackEvaluation;
import ai.preempt.eval.Preemption;
import ai.preempt.model.ModelCard;
import ai.preempt.model.NativeClassifier;
import ai.preempt.report.AttackReport;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import ai.preempt.train.Method;
import ai.preempt.train.PreemptMetrics;
import ai.preempt.train.Schedule;
import ai.preempt.train.TrainConfig;
import ai.preempt.train.TrainResult;
import ai.preempt.train.Trainer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code preempt train}. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a CIFAR-10 classifier: standard, adversarial (adv), preemptively robust (preempt, the "
                + "paper's Algorithm 2) or with Gaussian noise (gaussian).",
            "A checkpoint is written after every epoch; after a kill, run the same command with --resume.",
            "Finally the kept model (best held-out robust accuracy with --validation, else the last epoch) is "
                    + "measured on a seeded test subset and its card written to OUT/card.json."})
final class TrainCommand implements Callable<Integer> {

    @Mixin CommonOptions common;
    @Mixin DataOptions dataOptions;

    @Option(names = "--method", required = true, description = "standard, adv, preempt or gaussian.")
    String method;

    @Option(names = "--norm", defaultValue = "linf", description = "Threat norm for adv/preempt (default: ${DEFAULT-VALUE}).")
    String norm;

    @Option(names = "--eps", description = "Budget for adv/preempt (default: 8/255 for linf, 0.5 for l2).")
    String eps;

    @Option(names = "--sigma", defaultValue = "0.25", description = "Noise level for gaussian (default: ${DEFAULT-VALUE}).")
    double sigma;

    @Option(names = "--arch", defaultValue = "resnet20", description = "resnet8w2, resnet20, resnet20w2, resnet20w4, preact18, wrn34-10 (default: ${DEFAULT-VALUE}).")
    String arch;

    @Option(names = "--epochs", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.1", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--schedule", defaultValue = "step", description = "step (x0.1 at 50%% and 75%%) or onecycle (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--attack-steps", defaultValue = "10", description = "PGD steps for adv/preempt training points (default: ${DEFAULT-VALUE}).")
    int attackSteps;

    @Option(names = "--attack-step", defaultValue = "0.25", description = "Step of the training PGD (adv; preempt's "
            + "x_adv) in units of eps (default: ${DEFAULT-VALUE}).")
    double attackStep;

    @Option(names = "--robust-steps", defaultValue = "10", description = "preempt: steps K of Algorithm 2's first PGD, "
            + "which moves each image toward its true label inside the delta-ball (default: ${DEFAULT-VALUE}).")
    int robustSteps;

    @Option(names = "--robust-step", defaultValue = "0.25", description = "preempt: its step in units of eps "
            + "(default: ${DEFAULT-VALUE}).")
    double robustStep;

    @Option(names = "--init", paramLabel = "PARAMS", description = "Fine-tune from these weights (a model.params of "
            + "the same architecture) instead of fresh ones.")
    Path init;

    @Option(names = "--robustified-validation", defaultValue = "0", paramLabel = "N", description = "preempt: also "
            + "robustify N of the held-out images (Algorithm 1, fast mode, 8-bit) and attack them with grey-box PGD-20; "
            + "early stopping keeps the epoch with the best such accuracy (default: ${DEFAULT-VALUE}).")
    int robustifiedValidation;

    @Option(names = "--robustified-attack", defaultValue = "pgd", paramLabel = "ATTACK", description = "preempt: the "
            + "grey-box attack of that validation: pgd (PGD-20) or a stronger one such as apgd-ce, when PGD overstates "
            + "the model (default: ${DEFAULT-VALUE}).")
    String robustifiedAttack;

    @Option(names = "--validate-every", defaultValue = "1", description = "Validate after every this many epochs and "
            + "after the last (default: ${DEFAULT-VALUE}).")
    int validateEvery;

    @Option(names = "--checkpoint-batches", defaultValue = "0", paramLabel = "N", description = "Also checkpoint every "
            + "N batches inside an epoch (default: ${DEFAULT-VALUE}, only at epoch ends).")
    int checkpointBatches;

    @Option(names = "--fast", description = "Single-step training points: FGSM from a random start (Wong, Rice & Kolter 2020).")
    boolean fast;

    @Option(names = "--fgsm-step", defaultValue = "1.25", description = "With --fast: the FGSM step in units of eps "
            + "(default: ${DEFAULT-VALUE}, Wong et al.; 1.0 makes catastrophic overfitting less likely).")
    double fgsmStep;

    @Option(names = "--validation", defaultValue = "1000", description = "Held-out training images for early stopping; 0 keeps the last epoch (default: ${DEFAULT-VALUE}).")
    int validation;

    @Option(names = "--limit", defaultValue = "0", description = "Train on only this many images (0 = all).")
    int limit;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, description = "Output model directory.")
    Path out;

    @Option(names = "--resume", description = "Continue from OUT/checkpoint.")
    boolean resume;

    @Option(names = "--eval-n", defaultValue = "1000", description = "Test images for the card's accuracies; 0 skips (default: ${DEFAULT-VALUE}).")
    int evalN;

    @Option(names = "--eval-steps", defaultValue = "100", description = "preempt: outer steps T of the robustification "
            + "behind the card's preempt_eval figures (fast mode; default: ${DEFAULT-VALUE}, as preempt eval).")
    int evalSteps;

    @Option(names = "--eval-inner-steps", defaultValue = "20", description = "preempt: its inner PGD steps K "
            + "(default: ${DEFAULT-VALUE}, as preempt eval).")
    int evalInnerSteps;

    @Override
    public Integer call() throws Exception {
        Method m = Method.parse(method);
        Norm nrm = Norm.parse(norm);
        double e = ThreatOptions.eps(nrm, eps);
        ai.preempt.model.Architecture.of(arch);
        TrainConfig cfg = TrainConfig.builder().setMethod(m).optArch(arch).optNorm(nrm).optEps(e).optSigma(sigma)
                .optEpochs(epochs).optBatch(batch).optLr(lr).optSchedule(Schedule.parse(schedule))
                .optAttackSteps(attackSteps).optAttackStep(attackStep).optRobustSteps(robustSteps)
                .optRobustStep(robustStep).optInit(init == null ? null : displayPath(init))
                .optRobustifiedValidation(robustifiedValidation).optRobustifiedAttack(robustifiedAttack).optValidateEvery(validateEvery)
                .optCheckpointBatches(checkpointBatches).optFast(fast).optFgsmStep(fgsmStep).optValidation(validation).optTrainLimit(limit)
                .optSeed(seed).build();
        LabeledImages train = dataOptions.load(Split.TRAIN);
        TrainResult result = new Trainer(cfg, out, ConsoleProgress.create()).train(train, resume);
        System.out.printf(Locale.ROOT, "trained %s in %.0f s (%.0f images/s); kept epoch %d%n", out,
                result.wallSeconds(), result.imagesPerSecond(), result.bestEpoch());
        String command = "preempt train " + String.join(" ", reproducible());
        try (NativeClassifier f = NativeClassifier.load(out)) {
            ModelCard card = f.card().withTraining(f.card().training(), command);
            if (evalN > 0) {
                LabeledImages test = dataOptions.testSubset(evalN, 0);
                List<ThreatModel> threats = List.of(ThreatModel.of(Norm.LINF, 8 / 255.0), ThreatModel.of(Norm.L2, 0.5));
                Map<String, Object> subset = new LinkedHashMap<>();
                subset.put("split", "test");
                subset.put("n", test.size());
                subset.put("seed", 0);
                card = card.withMetric("subset", subset);
                for (ThreatModel t : threats) {
                    AttackReport r = AttackEvaluation.run(f, Pgd.builder().setThreat(t).optSeed(0).build(), test, 100,
                            Map.of(), ConsoleProgress.create());
                    card = card.withMetric("clean_accuracy", r.cleanAccuracy());
                    String key = "pgd20_" + t.describe().replace(' ', '_').replace('/', '_');
                    card = card.withMetric(key, r.robustAccuracy());
                    System.out.printf(Locale.ROOT, "clean %.2f%%, PGD-20 %s %.2f%%%n", 100 * r.cleanAccuracy(),
                            t.describe(), 100 * r.robustAccuracy());
                }
            }
            if (evalN > 0 && m == Method.PREEMPT) {
                // the figures the targets are about, from the code path of `preempt eval --fast`
                LabeledImages test = dataOptions.testSubset(evalN, 0);
                card = PreemptMetrics.withMetrics(card, PreemptMetrics.evaluate(f, test,
                        List.of(Preemption.NONE, Preemption.OURS), PreemptMetrics.fastRobustify(nrm, e, 0).toBuilder()
                                .optOuterSteps(evalSteps).optInnerSteps(evalInnerSteps).build()), 0);
            }
            card.write(out.resolve(NativeClassifier.CARD_FILE));
        }
        return 0;
    }

    /** @return the path relative to the working directory when it lies below it (cards stay portable) */
    private static String displayPath(Path p) {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : p.toString();
    }

    private List<String> reproducible() {
        java.util.ArrayList<String> a = new java.util.ArrayList<>(List.of("--method", method, "--arch", arch,
                "--epochs", Integer.toString(epochs), "--batch", Integer.toString(batch), "--lr", Double.toString(lr),
                "--schedule", schedule, "--validation", Integer.toString(validation), "--seed", Long.toString(seed),
                "--out", displayPath(out)));
        if (Method.parse(method) == Method.GAUSSIAN) {
            a.addAll(List.of("--sigma", Double.toString(sigma)));
        }
        if (Method.parse(method) == Method.ADV || Method.parse(method) == Method.PREEMPT) {
            a.addAll(List.of("--norm", norm));
            if (eps != null) {
                a.addAll(List.of("--eps", eps));
            }
            a.addAll(fast ? List.of("--fast") : List.of("--attack-steps", Integer.toString(attackSteps), "--attack-step",
                    Double.toString(attackStep)));
            if (Method.parse(method) == Method.PREEMPT && !fast) {
                a.addAll(List.of("--robust-steps", Integer.toString(robustSteps), "--robust-step",
                        Double.toString(robustStep), "--robustified-validation", Integer.toString(robustifiedValidation)));
                if (!robustifiedAttack.equals("pgd")) {
                    a.addAll(List.of("--robustified-attack", robustifiedAttack));
                }
            }
            if (fast && fgsmStep != 1.25) {
                a.addAll(List.of("--fgsm-step", Double.toString(fgsmStep)));
            }
        }
        if (init != null) {
            a.addAll(List.of("--init", displayPath(init)));
        }
        if (validateEvery != 1) {
            a.addAll(List.of("--validate-every", Integer.toString(validateEvery)));
        }
        if (limit > 0) {
            a.addAll(List.of("--limit", Integer.toString(limit)));
        }
        return a;
    }
}

package ai.preempt.examples;

import ai.preempt.attack.Pgd;
import ai.preempt.data.LabeledFolder;
import ai.preempt.data.LabeledImages;
import ai.preempt.eval.Preemption;
import ai.preempt.eval.PreemptionEvaluation;
import ai.preempt.model.Classifier;
import ai.preempt.model.Models;
import ai.preempt.report.EvalReport;
import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.threat.Norm;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Evaluates robustification on your own labelled images (one subfolder per class, named as the model's
 * classes): the paper's table with and without preemption, grey-box and white-box PGD-20 at L∞ 8/255.
 *
 * <p>Usage: {@code EvaluateRobustification IMAGES_DIR [MODEL [OUTER_STEPS]]} (model {@code adv-linf}, T = 100).
 */
public final class EvaluateRobustification {

    private EvaluateRobustification() {}

    public static void main(String[] args) {
        Path images = Path.of(args[0]);
        String model = args.length > 1 ? args[1] : "adv-linf";
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        try (Classifier f = Models.load(model)) {
            LabeledImages data = LabeledFolder.load(images, f.classes(), f.inputShape());
            RobustifyConfig cfg = RobustifyConfig.builder(Norm.LINF, 8 / 255.0).optOuterSteps(steps).build();
            PreemptionEvaluation evaluation = PreemptionEvaluation.builder().setConfig(cfg)
                    .setAttacks(Map.of("pgd", threat -> Pgd.builder().setThreat(threat).build())).build();
            EvalReport report = evaluation.run(f, data, List.of(Preemption.NONE, Preemption.OURS), Map.of());
            System.out.print(report.toMarkdown(List.of("pgd")));
        }
    }
}

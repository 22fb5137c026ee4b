package ai.preempt.examples;

import ai.preempt.attack.Attack;
import ai.preempt.attack.AutoAttack;
import ai.preempt.attack.Pgd;
import ai.preempt.data.Cifar10;
import ai.preempt.data.DataDirs;
import ai.preempt.data.LabeledImages;
import ai.preempt.data.Split;
import ai.preempt.eval.AttackEvaluation;
import ai.preempt.model.Classifier;
import ai.preempt.model.Models;
import ai.preempt.report.AttackReport;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import java.util.List;

/**
 * Attacks a model with PGD-20 and AutoAttack (standard) at L∞ 8/255 on a seeded subset of CIFAR-10's test
 * split and prints its clean and robust accuracy.
 *
 * <p>Usage: {@code AttackModel [MODEL [N [CIFAR_DIR]]]} (model {@code adv-linf}, 100 images, CIFAR-10 from
 * $PREEMPT_DATA or ~/.preempt/data).
 */
public final class AttackModel {

    private AttackModel() {}

    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "adv-linf";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        String cifar = args.length > 2 ? args[2] : null;
        LabeledImages test = Cifar10.load(DataDirs.resolveCifar(cifar, Split.TEST), Split.TEST).subset(n, 0);
        ThreatModel threat = ThreatModel.of(Norm.LINF, 8 / 255.0);
        try (Classifier f = Models.load(model)) {
            for (Attack attack : List.<Attack>of(Pgd.builder().setThreat(threat).build(),
                    AutoAttack.builder().setThreat(threat).build())) {
                AttackReport r = AttackEvaluation.run(f, attack, test);
                System.out.printf("%s on %d images: clean %.1f%%, robust %.1f%%%n", attack.name(), r.n(),
                        100 * r.cleanAccuracy(), 100 * r.robustAccuracy());
            }
        }
    }
}

package ai.preempt.robustify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.attack.Attack;
import ai.preempt.attack.AttackResult;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.model.Classifier;
import ai.preempt.model.LinearClassifier;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdaptiveAttackTest {

    private static final double EPS = 0.1;

    /** An attack that returns fixed end points and predictions for the budget it was made for. */
    private record Scripted(ThreatModel threat, NDArray adversarial, long[] predictions) implements Attack {
        @Override
        public AttackResult perturb(Classifier f, NDArray x, NDArray y) {
            long[] labels = y.toLongArray();
            boolean[] success = new boolean[labels.length];
            for (int i = 0; i < labels.length; i++) {
                success[i] = predictions[i] != labels[i];
            }
            return new AttackResult(adversarial.duplicate(), success, predictions.clone());
        }

        @Override
        public String name() {
            return "scripted";
        }
    }

    /**
     * Three images at x_o = 0.5, robustified to x_s = x_o + 0.05 and reconstructed as x_rec = x_s; labels 1, 1,
     * 0 and a model that always says 1. The scripted attack, for every ε', mislabels image 1 at x_o + 0.15 (in
     * B_ε'(x_rec) for ε' = ε, but outside B_ε(x_o), hence not a valid attack) and mislabels image 0 at x_o + 0.08
     * (inside B_ε(x_o)) only for the third budget.
     */
    @Test
    void successIsJudgedAgainstTheTrueOriginalPerBudgetAndTheWorstCaseIsTheConjunction() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                Shape shape = new Shape(3, 3, 4, 4);
                LinearClassifier alwaysOne = new LinearClassifier(m, new float[2][48], new float[] {0f, 1f},
                        new Shape(3, 4, 4));
                NDArray x0 = m.full(shape, 0.5f);
                NDArray xs = x0.add(0.05f);
                NDArray y = m.create(new long[] {1, 1, 0});
                NDArray adv = m.create(new float[] {0.58f, 0.65f, 0.5f}).reshape(3, 1, 1, 1).broadcast(shape);
                List<Double> asked = new ArrayList<>();
                AdaptiveAttack attack = new AdaptiveAttack(RobustifyConfig.builder(Norm.LINF, EPS).build(), t -> {
                    asked.add(t.eps());
                    boolean third = asked.size() == 3;
                    return new Scripted(t, adv, new long[] {third ? 0 : 1, 0, 0});
                });
                AdaptiveAttack.Result r = attack.attackFrom(alwaysOne, x0, xs, xs, y);
                // the ε' sweep: ε/4, ε/2, 3ε/4, ε, as budgets() says
                assertThat(asked).hasSize(4);
                for (int b = 0; b < 4; b++) {
                    assertThat(asked.get(b)).isCloseTo(EPS * (b + 1) / 4, within(1e-12));
                    assertThat(attack.budgets().get(b)).isCloseTo(EPS * (b + 1) / 4, within(1e-12));
                }
                for (int b = 0; b < 4; b++) {
                    assertThat(r.robustPerBudget()[b][0]).as("image 0, budget %d", b).isEqualTo(b != 2);
                    assertThat(r.robustPerBudget()[b][1]).as("image 1 is moved out of B_eps(x_o)").isTrue();
                    assertThat(r.robustPerBudget()[b][2]).as("image 2 is misclassified clean").isFalse();
                }
                assertThat(r.worstCase()).containsExactly(false, true, false);
                for (float e : r.reconstructionError()) {
                    assertThat(e).isCloseTo(0.05f, within(1e-6f));
                }
            }
        });
    }
}

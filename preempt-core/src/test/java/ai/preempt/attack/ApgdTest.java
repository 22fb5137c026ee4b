package ai.preempt.attack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.LinearClassifier;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ApgdTest {

    /**
     * The lists the reference's loop produces (autopgd_base.py: a check when the iteration counter reaches k,
     * then k = max(k − max(⌊0.03 N⌋, 1), max(⌊0.06 N⌋, 1))); for N = 20 the ceiling of p_j·N would put the first
     * check after 5 iterations instead of 4.
     */
    @Test
    void checkpointsFollowTheReferencesRuleForAnyIterationCount() {
        // p = 0, 0.22, 0.41, 0.57, 0.70, 0.80, 0.87, 0.93, 0.99
        assertThat(Apgd.checkpoints(100)).containsExactly(22, 41, 57, 70, 80, 87, 93, 99);
        assertThat(Apgd.checkpoints(50)).containsExactly(11, 21, 30, 38, 45);
        assertThat(Apgd.checkpoints(20)).containsExactly(4, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20);
        assertThat(Apgd.checkpoints(5)).containsExactly(1, 2, 3, 4, 5);
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void apgdCeReachesTheClosedFormWorstCaseOfALinearModel(Norm norm) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                Rng rng = new Rng(7);
                float[] v = new float[192];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (rng.nextDouble() - 0.5);
                }
                LinearClassifier f = AttackFixtures.twoClass(m, v).scaled(0.01f); // stays correct: loss keeps a gradient
                NDArray x = rng.uniform(m, new ai.djl.ndarray.types.Shape(3, 3, 8, 8), 0.3, 0.7);
                NDArray y = m.create(new long[] {0, 0, 0});
                ThreatModel t = AttackFixtures.threat(norm);
                NDArray adv = ApgdCe.builder().setThreat(t).optIterations(30).optSeed(1).build()
                        .perturb(f, x, y).adversarial();
                NDArray vArr = m.create(v).reshape(1, 3, 8, 8);
                NDArray worst = norm == Norm.LINF ? x.add(vArr.sign().mul(t.eps()))
                        : x.add(vArr.div(vArr.norm()).mul(t.eps()));
                // the attained margin gain is within 1% of the optimum
                float[] got = f.logits(adv).sub(f.logits(x)).toFloatArray();
                float[] best = f.logits(worst).sub(f.logits(x)).toFloatArray();
                for (int i = 0; i < 3; i++) {
                    float gain = got[2 * i + 1] - got[2 * i];
                    float opt = best[2 * i + 1] - best[2 * i];
                    assertThat(gain).isGreaterThan(0.99f * opt);
                }
            }
        });
    }

    @Test
    void apgdTFoolsImagesByMovingTowardTheirTargets() {
        AttackFixtures.onProblem(11, 0.05f, 10, 12, pr -> {
            ThreatModel t = AttackFixtures.threat(Norm.LINF);
            AttackResult one = ApgdT.builder().setThreat(t).optIterations(10).optTargetClasses(1).build()
                    .perturb(pr.model(), pr.images(), pr.labels());
            AttackResult nine = ApgdT.builder().setThreat(t).optIterations(10).build()
                    .perturb(pr.model(), pr.images(), pr.labels());
            // more targets only add successes
            for (int i = 0; i < 10; i++) {
                if (one.success()[i]) {
                    assertThat(nine.success()[i]).isTrue();
                }
            }
            assertThat(nine.successes()).isGreaterThan(0);
        });
    }

    @Test
    void repeatedApgdRunsDoNotGrowTheNumberOfLiveArrays() {
        AttackFixtures.onProblem(2, 0.02f, 4, 3, pr -> {
            ApgdCe a = ApgdCe.builder().setThreat(AttackFixtures.threat(Norm.L2)).optIterations(25)
                    .optRestarts(2).build();
            int[] counts = AttackFixtures.liveArraysAfterRuns(pr.manager(), 6,
                    () -> a.perturb(pr.model(), pr.images(), pr.labels()));
            assertThat(counts[5]).isEqualTo(counts[1]);
        });
    }
}

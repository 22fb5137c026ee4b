package ai.preempt.smoothing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.attack.AttackResult;
import ai.preempt.engine.NDManagers;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.LinearClassifier;
import ai.preempt.model.NativeClassifier;
import ai.preempt.model.TestModels;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import org.junit.jupiter.api.Test;

class RandomizedPgdTest {

    @Test
    void staysInTheBallAndTheBoxAndIsReproducible() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); NativeClassifier f = TestModels.tinyResNet(4)) {
                NDArray x = new Rng(5).uniform(m, new Shape(2, 3, 32, 32), 0, 1);
                NDArray y = m.create(new long[] {1, 2});
                ThreatModel t = ThreatModel.of(Norm.L2, 0.5);
                RandomizedPgd attack = RandomizedPgd.builder().setThreat(t).setSigma(0.25).optSamples(4).optSteps(3)
                        .optRestarts(2).optSeed(8).build();
                AttackResult a = attack.perturb(f, x, y);
                assertThat(t.distance(a.adversarial(), x).max().getFloat()).isLessThanOrEqualTo(0.5f + 1e-6f);
                assertThat(a.adversarial().min().getFloat()).isGreaterThanOrEqualTo(0f);
                assertThat(a.adversarial().max().getFloat()).isLessThanOrEqualTo(1f);
                NDArray again = attack.perturb(f, x, y).adversarial();
                assertThat(again.sub(a.adversarial()).abs().max().getFloat()).isZero();
            }
        });
    }

    @Test
    void onALinearClassifierItReachesTheClosedFormWorstCase() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                Rng rng = new Rng(7);
                float[] v = new float[SmoothingFixtures.PIXELS];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (rng.nextDouble() - 0.5);
                }
                LinearClassifier f = new LinearClassifier(m, new float[][] {new float[v.length], v},
                        new float[] {0f, 0f}, SmoothingFixtures.SHAPE);
                NDArray x = rng.uniform(m, new Shape(3, 3, 4, 4), 0.3, 0.7);
                NDArray y = m.create(new long[] {0, 0, 0});
                // every sample's gradient of −log E[softmax_0] points along v, so each normalised step does too
                AttackResult a = RandomizedPgd.builder().setThreat(ThreatModel.of(Norm.L2, 0.5)).setSigma(0.25)
                        .optSamples(5).optSteps(60).build().perturb(f, x, y);
                NDArray dir = m.create(v).reshape(1, 3, 4, 4);
                NDArray expected = x.add(dir.div(dir.norm()).mul(0.5f));
                assertThat(a.adversarial().sub(expected).abs().max().getFloat()).isLessThan(2e-3f);
            }
        });
    }

    @Test
    void repeatedAttacksDoNotGrowTheNumberOfLiveArrays() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                LinearClassifier f = SmoothingFixtures.coin(m);
                NDArray x = new Rng(1).uniform(m, new Shape(2, 3, 4, 4), 0, 1);
                NDArray y = m.create(new long[] {0, 1});
                RandomizedPgd attack = RandomizedPgd.builder().setThreat(ThreatModel.of(Norm.L2, 0.5)).setSigma(0.25)
                        .optSamples(3).optSteps(10).build();
                int[] counts = new int[12];
                for (int i = 0; i < counts.length; i++) {
                    attack.perturb(f, x, y).adversarial().close();
                    counts[i] = NDManagers.countArrays(m);
                }
                assertThat(counts[11]).isEqualTo(counts[1]);
            }
        });
    }

    @Test
    void rejectsLinfBallsAndBadSigma() {
        assertThatThrownBy(() -> RandomizedPgd.builder().setThreat(ThreatModel.of(Norm.LINF, 8 / 255.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("L2");
        assertThatThrownBy(() -> RandomizedPgd.builder().setSigma(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--sigma");
    }
}

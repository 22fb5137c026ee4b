package ai.preempt.attack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import org.junit.jupiter.api.Test;

class SquareTest {

    @Test
    void squareAloneDefeatsAModelWithMaskedGradientsWherePgdFails() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                AttackFixtures.Masked p = AttackFixtures.masked(m, 8, 21);
                NDArray x = p.images(m);
                NDArray y = m.create(new long[8]);
                assertThat(p.model().predict(x).toLongArray()).containsOnly(0L);
                ThreatModel t = AttackFixtures.threat(Norm.LINF);
                GradientMaskingChecks.Probe probe = GradientMaskingChecks.probe(p.model(), x, y);
                assertThat(probe.zeroGradient()).containsOnly(true);
                AttackResult pgd = Pgd.builder().setThreat(t).optSteps(20).optRestarts(2).optSeed(1).build()
                        .perturb(p.model(), x, y);
                AttackResult apgd = ApgdCe.builder().setThreat(t).optIterations(20).optSeed(1).build()
                        .perturb(p.model(), x, y);
                AttackResult square = Square.builder().setThreat(t).optQueries(1000).optRescaleSchedule(true)
                        .optSeed(1).build().perturb(p.model(), x, y);
                assertThat(pgd.successes()).isZero();
                assertThat(apgd.successes()).isZero();
                assertThat(square.successes()).isEqualTo(8);
                assertThat(t.distance(square.adversarial(), x).max().getFloat()).isLessThanOrEqualTo(
                        (float) t.eps() + 1e-6f);
            }
        });
    }

    @Test
    void windowFractionFollowsThePublishedScheduleAndItsRescaling() {
        Square std = Square.builder().setThreat(AttackFixtures.threat(Norm.LINF)).build();
        assertThat(std.p(0)).isEqualTo(0.8);
        assertThat(std.p(10)).isEqualTo(0.8);
        assertThat(std.p(11)).isEqualTo(0.4);
        assertThat(std.p(201)).isEqualTo(0.1);
        assertThat(std.p(4999)).isEqualTo(0.8 / 128);
        Square rescaled = Square.builder().setThreat(AttackFixtures.threat(Norm.LINF)).optQueries(1000)
                .optRescaleSchedule(true).build();
        assertThat(rescaled.p(999)).isEqualTo(0.8 / 512);
    }

    @Test
    void l2PseudoGaussianBumpHasUnitNormAndOppositeHalves() {
        float[] b = Square.bump(5, new Rng(1));
        double s = 0;
        double sum = 0;
        for (float v : b) {
            s += v * v;
            sum += v;
        }
        assertThat(s).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(Math.abs(sum)).isLessThan(1.0); // the + and − halves nearly cancel
    }
}

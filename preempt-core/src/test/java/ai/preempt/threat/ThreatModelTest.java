package ai.preempt.threat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class ThreatModelTest {

    @ParameterizedTest
    @EnumSource(Norm.class)
    void projectionKeepsPointsInsideBallAndPixelBox(Norm norm) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                double eps = norm == Norm.LINF ? 8 / 255.0 : 0.5;
                ThreatModel t = ThreatModel.of(norm, eps);
                Rng rng = new Rng(3);
                NDArray x0 = rng.uniform(m, new Shape(16, 3, 8, 8), 0, 1);
                NDArray far = x0.add(rng.normal(m, x0.getShape()).mul(2));
                NDArray p = t.project(x0, far);
                assertThat(t.distance(p, x0).max().getFloat()).isLessThanOrEqualTo((float) (eps + 1e-6));
                assertThat(p.min().getFloat()).isGreaterThanOrEqualTo(0f);
                assertThat(p.max().getFloat()).isLessThanOrEqualTo(1f);
                for (RandomStart s : RandomStart.values()) {
                    NDArray r = t.randomStart(x0, s, rng);
                    assertThat(t.distance(r, x0).max().getFloat()).isLessThanOrEqualTo((float) (eps + 1e-6));
                    assertThat(r.min().getFloat()).isGreaterThanOrEqualTo(0f);
                    assertThat(r.max().getFloat()).isLessThanOrEqualTo(1f);
                }
                // a point already inside the ball is not moved
                NDArray inside = t.project(x0, t.randomStart(x0, RandomStart.BALL, rng));
                assertThat(t.project(x0, inside).sub(inside).abs().max().getFloat()).isLessThan(1e-6f);
            }
        });
    }

    @Test
    void l2SphereStartLiesOnTheSphereAwayFromPixelBounds() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray x0 = m.full(new Shape(4, 3, 8, 8), 0.5f);
                ThreatModel t = ThreatModel.of(Norm.L2, 0.5);
                NDArray d = t.distance(t.randomStart(x0, RandomStart.SPHERE, new Rng(1)), x0);
                assertThat(d.min().getFloat()).isCloseTo(0.5f, org.assertj.core.data.Offset.offset(1e-5f));
                NDArray ball = t.distance(t.randomStart(x0, RandomStart.BALL, new Rng(1)), x0);
                assertThat(ball.max().getFloat()).isLessThanOrEqualTo(0.5f + 1e-6f);
            }
        });
    }

    @Test
    void budgetsAcceptFractionsAndDecimalsAndRejectNonsense() {
        assertThat(Budget.parse("8/255", "--eps")).isEqualTo(8 / 255.0);
        assertThat(Budget.parse("0.0314", "--eps")).isEqualTo(0.0314);
        assertThatThrownBy(() -> Budget.parse("-1", "--eps")).hasMessageContaining("--eps must lie in (0, 1]");
        assertThatThrownBy(() -> Budget.parse("abc", "--eps")).hasMessageContaining("--eps must be a number");
        assertThatThrownBy(() -> Budget.parse("1/0", "--eps")).hasMessageContaining("(0, 1]");
        assertThat(Norm.parse("Linf")).isEqualTo(Norm.LINF);
        assertThatThrownBy(() -> Norm.parse("l1")).hasMessageContaining("use linf or l2");
    }
}

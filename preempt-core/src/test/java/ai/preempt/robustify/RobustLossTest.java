package ai.preempt.robustify;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.Gradients;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.Losses;
import ai.preempt.model.NativeClassifier;
import ai.preempt.model.TestModels;
import ai.preempt.threat.Norm;
import ai.preempt.threat.RandomStart;
import ai.preempt.threat.ThreatModel;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RobustLossTest {

    /**
     * The first-order outer gradient is the exact gradient of the chain x_s → start → steps → projections →
     * model with the inner step directions held fixed; a central finite difference of that same chain must
     * agree with it (up to float32 noise), for both norms and, for L∞, through the tanh parametrisation.
     */
    @ParameterizedTest
    @EnumSource(Norm.class)
    void firstOrderOuterGradientMatchesFiniteDifferenceOfTheSameChain(Norm norm) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); NativeClassifier f = TestModels.tinyResNet(4)) {
                double eps = norm == Norm.LINF ? 8 / 255.0 : 0.5;
                ThreatModel t = ThreatModel.of(norm, eps);
                RobustLoss loss = new RobustLoss(t, 5, eps / 4, RandomStart.SPHERE, 1);
                Rng rng = new Rng(9);
                NDArray x0 = rng.uniform(m, new Shape(2, 3, 32, 32), 0.1, 0.9);
                NDArray y = m.create(new long[] {1, 6});
                NDArray lo = x0.sub(eps).maximum(0f);
                NDArray range = x0.add(eps).minimum(1f).sub(lo);
                UnaryOperator<NDArray> toImage = norm == Norm.LINF
                        ? p -> p.tanh().add(1).div(2).mul(range).add(lo) : p -> p;
                NDArray param = norm == Norm.LINF ? rng.uniform(m, x0.getShape(), -1, 1) : x0;
                RobustLoss.Chain chain = loss.trace(f, toImage.apply(param), y, rng);
                Gradients.LossGrad lg = Gradients.of(param,
                        p -> Losses.crossEntropy(f.logits(loss.replay(toImage.apply(p), chain)), y));
                // along the gradient plus a random component, so a wrong gradient cannot agree by accident
                NDArray g = lg.grad();
                NDArray noise = rng.normal(m, x0.getShape());
                NDArray dir = g.div(g.norm()).add(noise.div(noise.norm()).mul(0.5f));
                dir = dir.div(dir.norm());
                double h = norm == Norm.LINF ? 1e-2 : 1e-3;
                NDArray dp = dir.mul(h);
                double plus = Losses.crossEntropy(f.logits(loss.replay(toImage.apply(param.add(dp)), chain)), y)
                        .sum().getFloat();
                double minus = Losses.crossEntropy(f.logits(loss.replay(toImage.apply(param.sub(dp)), chain)), y)
                        .sum().getFloat();
                double fd = (plus - minus) / (2 * h);
                double analytic = lg.grad().mul(dir).sum().getFloat();
                assertThat(analytic).isCloseTo(fd, org.assertj.core.data.Offset.offset(0.03 * Math.abs(fd) + 2e-4));
                assertThat(Math.abs(analytic)).isGreaterThan(1e-6);
                // the differentiated replay ends where the traced inner attack ended, with its loss
                NDArray xs = toImage.apply(param);
                NDArray replayed = loss.replay(xs, chain);
                assertThat(replayed.sub(chain.end()).abs().max().getFloat()).isLessThan(1e-6f);
                float reached = Losses.crossEntropy(f.logits(chain.end()), y).sum().getFloat();
                assertThat(lg.loss().sum().getFloat()).isCloseTo(reached, org.assertj.core.data.Offset.offset(1e-4f));
                // and that end point is an attack: inside B_ε(x_s) ∩ [0,1] with a higher loss than x_s
                assertThat(t.norm() == Norm.LINF ? chain.end().sub(xs).abs().max().getFloat()
                        : chain.end().sub(xs).reshape(2, -1).norm(new int[] {1}).max().getFloat())
                        .isLessThanOrEqualTo((float) eps + 1e-5f);
                assertThat(chain.end().min().getFloat()).isGreaterThanOrEqualTo(0f);
                assertThat(chain.end().max().getFloat()).isLessThanOrEqualTo(1f);
                assertThat(reached).isGreaterThan(Losses.crossEntropy(f.logits(xs), y).sum().getFloat());
            }
        });
    }
}

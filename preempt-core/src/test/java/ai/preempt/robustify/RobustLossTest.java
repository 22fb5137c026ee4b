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
                        ? p -> ai.preempt.engine.Ops.div(p.tanh().add(1), 2).mul(range).add(lo) : p -> p;
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

    /**
     * Robustification differentiates only at the model's input and carries the gradient back by hand (the
     * pipeline's adjoint, then tanh's chain rule): the same loss and gradient as autograd through the whole chain
     * from the tanh parameter of a 64×80 photo, through the pipeline, the inner attack's replay and the model, for
     * one server and for two (the views' mean, each view with its own inner attack).
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2})
    void gradientCarriedBackByHandEqualsAutogradThroughTheWholeChain(int views) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); NativeClassifier f = TestModels.tinyResNet(4)) {
                double eps = 8 / 255.0;
                ThreatModel t = ThreatModel.of(Norm.LINF, eps);
                java.util.List<ai.preempt.pipeline.PipelineClassifier> servers = java.util.stream.Stream.of(
                        "resize=40,crop=32", "resize-plain=32x32").limit(views)
                        .map(spec -> ai.preempt.pipeline.PipelineClassifier.builder().setClassifier(f)
                                .setPipeline(ai.preempt.pipeline.Pipeline.parse(spec)).setPhotoSize(64, 80).build())
                        .toList();
                ai.preempt.model.Classifier server = views == 1 ? servers.get(0)
                        : ai.preempt.pipeline.ServerViews.of(servers);
                RobustifyConfig cfg = RobustifyConfig.builder(Norm.LINF, eps).optInnerSteps(3).optSamples(1).build();
                RobustLoss loss = new RobustLoss(cfg);
                Rng rng = new Rng(11);
                NDArray x0 = rng.uniform(m, new Shape(2, 3, 64, 80), 0, 1);
                NDArray y = m.create(new long[] {2, 7});
                NDArray[] offsets = new NDArray[views];
                for (int k = 0; k < views; k++) {
                    offsets[k] = rng.uniform(m, new Shape(2, 3, 32, 32), -eps, eps);
                }
                int[] drawn = {0};
                RobustLoss.Offsets fixed = (threat, x) -> offsets[drawn[0]++ % views].duplicate();
                try (OuterLoop.State state = new LinfRobustifier(cfg, false).init(x0,
                        x0.add(rng.uniform(m, x0.getShape(), -eps / 2, eps / 2)).clip(0, 1))) {
                    RobustLoss.Evaluation byHand = loss.evaluate(server, state.point(), y, fixed);
                    // the reference: x_s = lo + (tanh w + 1)/2·(hi − lo), everything under autograd from w
                    NDArray lo = x0.sub(eps).maximum(0f);
                    NDArray range = x0.add(eps).minimum(1f).sub(lo);
                    UnaryOperator<NDArray> toImage = p -> ai.preempt.engine.Ops.mul(p.tanh().add(1), 0.5).mul(range)
                            .add(lo);
                    NDArray xs = toImage.apply(state.param());
                    assertThat(xs.sub(state.image()).abs().max().getFloat()).isZero();
                    java.util.List<AttackSite> sites = servers.stream().map(s -> AttackSite.of(s, t, cfg.innerStepSize()))
                            .toList();
                    java.util.List<RobustLoss.Chain> chains = new java.util.ArrayList<>();
                    for (AttackSite site : sites) {
                        chains.add(loss.trace(site.classifier(), site.front().apply(xs), y, fixed));
                    }
                    Gradients.LossGrad whole = Gradients.of(state.param(), p -> {
                        NDArray img = toImage.apply(p);
                        NDArray sum = null;
                        for (int k = 0; k < views; k++) {
                            NDArray l = Losses.crossEntropy(sites.get(k).classifier().logits(
                                    loss.replay(sites.get(k).front().apply(img), chains.get(k))), y);
                            sum = sum == null ? l : sum.add(l);
                        }
                        return ai.preempt.engine.Ops.div(sum, views);
                    });
                    float scale = whole.grad().abs().max().getFloat();
                    assertThat(scale).isPositive();
                    assertThat(byHand.grad().getShape()).isEqualTo(x0.getShape());
                    assertThat(byHand.grad().sub(whole.grad()).abs().max().getFloat()).isLessThan(1e-4f * scale);
                    assertThat(byHand.loss().toFloatArray()).containsExactly(whole.loss().toFloatArray(),
                            org.assertj.core.data.Offset.offset(1e-5f));
                    // the loss without gradient (verdicts, exit checks) combines the views as the descent does
                    float[] value = loss.value(server, state.image(), y, 5);
                    float[] descended = loss.evaluate(server, state.point(), y, Rng.forImages(5, state.image()))
                            .loss().toFloatArray();
                    assertThat(value).containsExactly(descended, org.assertj.core.data.Offset.offset(1e-5f));
                }
            }
        });
    }
}

package ai.preempt.robustify;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.attack.AttackResult;
import ai.preempt.attack.Pgd;
import ai.preempt.data.Cifar10;
import ai.preempt.data.LabeledImages;
import ai.preempt.data.Split;
import ai.preempt.data.TestData;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.LinearClassifier;
import ai.preempt.model.NativeClassifier;
import ai.preempt.model.TestModels;
import ai.preempt.model.TrainedTinyModel;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RobustifierTest {

    private static RobustifyConfig quick(Norm norm, long seed) {
        double eps = norm == Norm.LINF ? 8 / 255.0 : 0.5;
        return RobustifyConfig.builder(norm, eps).optOuterSteps(4).optInnerSteps(3).optSeed(seed)
                .optLr(norm == Norm.LINF ? 0.1 : 0.05).build();
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void outputStaysInsideDeltaBallAndPixelBoxAlsoAfter8BitRounding(Norm norm) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); NativeClassifier f = TestModels.tinyResNet(5)) {
                // 8-bit originals, some at the pixel bounds
                NDArray x0 = new Rng(2).uniform(m, new Shape(4, 3, 32, 32), -0.2, 1.2).clip(0, 1).mul(255).round()
                        .div(255);
                RobustifyConfig cfg = quick(norm, 3).toBuilder().optLr(norm == Norm.LINF ? 1.0 : 5.0).build();
                ThreatModel ball = cfg.adversary().withEps(cfg.delta());
                NDArray xs = Robustifier.of(cfg).robustify(f, x0, null).images();
                NDArray q = Quantizer.quantize(x0, xs, ball);
                for (NDArray img : new NDArray[] {xs, q}) {
                    assertThat(ball.distance(img, x0).max().getFloat()).isLessThanOrEqualTo((float) cfg.delta() + 1e-6f);
                    assertThat(img.min().getFloat()).isGreaterThanOrEqualTo(0f);
                    assertThat(img.max().getFloat()).isLessThanOrEqualTo(1f);
                }
                assertThat(q.mul(255).sub(q.mul(255).round()).abs().max().getFloat()).isLessThan(1e-4f);
                assertThat(ball.distance(xs, x0).max().getFloat()).isGreaterThan(0f);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void sameSeedGivesIdenticalImages(Norm norm) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); NativeClassifier f = TestModels.tinyResNet(6)) {
                NDArray x0 = new Rng(4).uniform(m, new Shape(3, 3, 32, 32), 0, 1);
                NDArray a = Robustifier.of(quick(norm, 7)).robustify(f, x0, null).images();
                NDArray b = Robustifier.of(quick(norm, 7)).robustify(f, x0, null).images();
                NDArray c = Robustifier.of(quick(norm, 8)).robustify(f, x0, null).images();
                assertThat(a.sub(b).abs().max().getFloat()).isEqualTo(0f);
                assertThat(a.sub(c).abs().max().getFloat()).isGreaterThan(0f);
            }
        });
    }

    /**
     * A linear two-class model and images whose margin v·x + b is 0.3·ε‖v‖₁: correctly classified, but PGD's
     * worst case (−ε‖v‖₁) fools every one. Robustification inside B_ε must push each margin past ε‖v‖₁, so
     * the same PGD then fails on every image; an identity "robustifier" leaves all of them fooled.
     */
    @Test
    void robustifyingAttackableImagesOfALinearModelMakesThemSurvivePgd() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                Rng rng = new Rng(12);
                float[] v = new float[48];
                double l1 = 0;
                double l2sq = 0;
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (rng.nextDouble() - 0.5);
                    l1 += Math.abs(v[i]);
                    l2sq += v[i] * v[i];
                }
                ThreatModel t = ThreatModel.of(Norm.LINF, 8 / 255.0);
                double target = 0.3 * t.eps() * l1;
                // random images in [0.3, 0.7], each moved along v until its margin is the target (bias 0)
                float[] x = rng.uniform(m, new Shape(4, 3, 4, 4), 0.3, 0.7).toFloatArray();
                for (int img = 0; img < 4; img++) {
                    double dot = 0;
                    for (int j = 0; j < 48; j++) {
                        dot += v[j] * x[img * 48 + j];
                    }
                    double c = (target - dot) / l2sq;
                    for (int j = 0; j < 48; j++) {
                        x[img * 48 + j] += (float) (c * v[j]);
                    }
                }
                NDArray x0 = m.create(x, new Shape(4, 3, 4, 4));
                assertThat(x0.min().getFloat()).isGreaterThan((float) t.eps());
                assertThat(x0.max().getFloat()).isLessThan(1 - (float) t.eps());
                LinearClassifier f = new LinearClassifier(m, new float[][] {new float[48], v}, new float[2],
                        new Shape(3, 4, 4));
                NDArray y = m.create(new long[] {1, 1, 1, 1});
                Pgd pgd = Pgd.builder().setThreat(t).optSteps(10).optRestarts(2).build();
                assertThat(f.predict(x0).toLongArray()).containsOnly(1L);
                assertThat(pgd.perturb(f, x0, y).successes()).as("originals").isEqualTo(4);
                RobustifyConfig cfg = RobustifyConfig.builder(Norm.LINF, t.eps()).optOuterSteps(10).optInnerSteps(5)
                        .build();
                RobustifyResult r = Robustifier.of(cfg).robustify(f, x0, null);
                assertThat(r.labels()).containsOnly(1L);
                assertThat(t.distance(r.images(), x0).max().getFloat()).isLessThanOrEqualTo((float) t.eps() + 1e-6f);
                assertThat(pgd.perturb(f, r.images(), y).successes()).as("robustified").isZero();
            }
        });
    }

    /**
     * On a small trained (non-robust) model, robustified images survive a PGD attack far more often than the
     * originals: the measured margin on 48 test images is asserted, not a constant.
     */
    @Test
    void robustifiedBatchRaisesPgdAccuracyOnASmallTrainedModel() {
        PreemptEngine.run(() -> {
            NativeClassifier f = TrainedTinyModel.get();
            LabeledImages test = Cifar10.load(TestData.cifarDir(), Split.TEST).subset(48, 0);
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray x0 = test.images(m, 0, test.size());
                NDArray y = test.labels(m, 0, test.size());
                ThreatModel t = ThreatModel.of(Norm.LINF, 2 / 255.0);
                Pgd pgd = Pgd.builder().setThreat(t).optSteps(10).optSeed(1).build();
                RobustifyConfig cfg = RobustifyConfig.builder(Norm.LINF, t.eps()).optOuterSteps(15).optInnerSteps(5)
                        .optSeed(1).build();
                NDArray xs = Quantizer.quantize(x0, Robustifier.of(cfg).robustify(f, x0, null).images(),
                        t.withEps(cfg.delta()));
                int before = robust(f, pgd, x0, y);
                int after = robust(f, pgd, xs, y);
                int clean = (int) f.predict(x0).eq(y).sum().getLong();
                System.out.printf("tiny model: clean %d/48, PGD before %d, after robustification %d%n", clean, before,
                        after);
                assertThat(after).isGreaterThanOrEqualTo(before + 6);
            }
        });
    }

    private static int robust(NativeClassifier f, Pgd pgd, NDArray x, NDArray y) {
        AttackResult a = pgd.perturb(f, x, y);
        long[] clean = f.predict(x).toLongArray();
        long[] labels = y.toLongArray();
        int r = 0;
        for (int i = 0; i < labels.length; i++) {
            r += clean[i] == labels[i] && !a.success()[i] ? 1 : 0;
        }
        return r;
    }
}

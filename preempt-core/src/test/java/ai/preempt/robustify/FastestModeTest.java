package ai.preempt.robustify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.attack.AttackResult;
import ai.preempt.attack.Pgd;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.engine.Rows;
import ai.preempt.model.CountingClassifier;
import ai.preempt.model.LinearClassifier;
import ai.preempt.model.Losses;
import ai.preempt.threat.Norm;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FastestModeTest {

    /** The 2-class linear model of {@link FastModeTest#linear}: PGD on it finds the worst case from any start. */
    private static LinearClassifier linear(NDManager m, long seed, float bias) {
        return FastModeTest.linear(m, seed, bias);
    }

    /** 8-bit images whose margins range from hopeless to safe, so images exit at different checks. */
    private static NDArray mixedImages(NDManager m, Shape shape) {
        return new Rng(21).uniform(m, shape, 0, 1).mul(255).round().div(255);
    }

    /** T = 20, K = 5; the plan's overrides on top of the default plan. */
    private static RobustifyConfig config(Norm norm, String plan) {
        double eps = norm == Norm.LINF ? 8 / 255.0 : 0.5;
        return RobustifyConfig.builder(norm, eps).optOuterSteps(20).optInnerSteps(5).optSeed(4)
                .optFastest(FastestMode.parse(plan)).build();
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void noImageLeavesBeforeItsOwnFullCheckFailsOnItsEightBitOutput(Norm norm) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                LinearClassifier f = linear(m, 6, 0.2f);
                NDArray x0 = mixedImages(m, new Shape(16, 3, 4, 4));
                // every image is a candidate (screen 100) and the cheap inner attack is nearly no attack (a step of
                // ε/100): only the confirmation stands between an image and the exit
                RobustifyConfig cfg = config(norm, "screen=100,inner=1,inner-step=0.01,warm=0");
                RobustifyResult r = Robustifier.of(cfg).robustify(f, x0, null);
                // for a linear model PGD-K finds the worst case from any start, so this attack reproduces the
                // verdict of any honest check
                NDArray y = m.create(r.labels());
                AttackResult a = Pgd.builder().setThreat(cfg.adversary()).optSteps(cfg.innerSteps()).optRestarts(3)
                        .optSeed(99).build().perturb(f, r.images(), y);
                float[] lossAtAttack = Losses.crossEntropy(f.logits(a.adversarial()), y).toFloatArray();
                float offGrid = 0;
                int exited = 0;
                for (int i = 0; i < r.passes().length; i++) {
                    if (r.outerSteps()[i] < cfg.outerSteps()) {
                        exited++;
                        assertThat(a.success()[i]).as("image %d left but PGD fools it", i).isFalse();
                        assertThat(lossAtAttack[i]).as("image %d left above the threshold", i)
                                .isLessThan((float) cfg.fastest().lossThreshold());
                        assertThat(r.robustLoss()[i]).isLessThan((float) cfg.fastest().lossThreshold());
                        NDArray grid = r.images().get(i).mul(255);
                        offGrid = Math.max(offGrid, grid.sub(grid.round()).abs().max().getFloat());
                    }
                }
                assertThat(exited).as("some images leave early").isGreaterThan(0);
                assertThat(exited).as("some images cannot be made robust and stay").isLessThan(16);
                assertThat(offGrid).as("left images are the 8-bit images that were checked").isLessThan(1e-3f);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void sameSeedGivesIdenticalOutputAndAnotherSeedDoesNot(Norm norm) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                LinearClassifier f = linear(m, 7, 0.1f);
                NDArray x0 = mixedImages(m, new Shape(12, 3, 4, 4));
                RobustifyResult a = Robustifier.of(config(norm, "")).robustify(f, x0, null);
                RobustifyResult b = Robustifier.of(config(norm, "")).robustify(f, x0, null);
                RobustifyResult c = Robustifier.of(config(norm, "").toBuilder().optSeed(5).build())
                        .robustify(f, x0, null);
                assertThat(a.images().sub(b.images()).abs().max().getFloat()).isEqualTo(0f);
                assertThat(a.passes()).isEqualTo(b.passes());
                assertThat(a.robustLoss()).isEqualTo(b.robustLoss());
                assertThat(a.images().sub(c.images()).abs().max().getFloat()).isGreaterThan(0f);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void batchCompositionDoesNotChangeAnyImagesResult(Norm norm) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                LinearClassifier f = linear(m, 6, 0.2f);
                NDArray x0 = mixedImages(m, new Shape(10, 3, 4, 4));
                RobustifyConfig cfg = config(norm, "");
                RobustifyResult whole = Robustifier.of(cfg).robustify(f, x0, null);
                int[][] batches = {{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, {2}, {4, 0, 5, 9}, {1, 3, 6, 7, 8}};
                for (int[] batch : batches) {
                    RobustifyResult part = Robustifier.of(cfg).robustify(f, Rows.select(x0, batch), null);
                    for (int j = 0; j < batch.length; j++) {
                        int i = batch[j];
                        assertThat(part.passes()[j]).as("passes of image %d", i).isEqualTo(whole.passes()[i]);
                        assertThat(part.outerSteps()[j]).as("steps of image %d", i).isEqualTo(whole.outerSteps()[i]);
                        // decisions exactly; floats up to rounding, which a reduction's order over a differently
                        // shaped batch changes (L2 norms, more so with several intra-op threads: measured up to 1.2e-4
                        // after the outer steps amplify it), far below a quarter of an 8-bit level; a shared random
                        // stream moves pixels by the order of δ
                        assertThat(part.robustLoss()[j]).as("loss of image %d", i)
                                .isCloseTo(whole.robustLoss()[i], within(1e-3f));
                        float diff = part.images().get(j).sub(whole.images().get(i)).abs().max().getFloat();
                        assertThat(diff).as("image %d in batch %s", i, Arrays.toString(batch)).isLessThan(1f / (4 * 255));
                    }
                }
                assertThat(Arrays.stream(whole.outerSteps()).distinct().count()).as("images left at different steps")
                        .isGreaterThan(1);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void passCountsAreTheModelCallsReallyMade(Norm norm) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                LinearClassifier f = linear(m, 6, 0.2f);
                CountingClassifier counted = new CountingClassifier(f);
                NDArray x0 = mixedImages(m, new Shape(16, 3, 4, 4));
                RobustifyConfig cfg = config(norm, "");
                RobustifyResult r = Robustifier.of(cfg).robustify(counted, x0, null);
                // every image forwarded is one pass (a forward+backward counts once, a forward alone also once)
                assertThat(Arrays.stream(r.passes()).sum()).isEqualTo(counted.images());
                FastestMode fm = cfg.fastest();
                for (int i = 0; i < r.passes().length; i++) {
                    // ŷ comes free with the first warm step; then one pass per warm step and m·(k_t + 1) per outer step
                    long steps = fm.warmSteps();
                    for (int t = 0; t < r.outerSteps()[i]; t++) {
                        steps += fm.innerSteps(t) + 1;
                    }
                    // a confirmed exit also ran every restart of the full check
                    long exitCheck = r.outerSteps()[i] < cfg.outerSteps() ? fm.restarts() * (cfg.innerSteps() + 1L) : 0;
                    assertThat(r.passes()[i]).as("image %d", i).isGreaterThanOrEqualTo(steps + exitCheck);
                }
                // ŷ given, or read off the first warm step: the same passes and the same result
                CountingClassifier again = new CountingClassifier(f);
                RobustifyResult labelled = Robustifier.of(cfg).robustify(again, x0, f.predict(x0));
                assertThat(Arrays.stream(labelled.passes()).sum()).isEqualTo(again.images());
                assertThat(labelled.passes()).isEqualTo(r.passes());
                assertThat(labelled.images().sub(r.images()).abs().max().getFloat()).isEqualTo(0f);
                // without warm steps ŷ costs a forward pass of its own
                CountingClassifier cold = new CountingClassifier(f);
                RobustifyResult noWarm = Robustifier.of(config(norm, "warm=0")).robustify(cold, x0, null);
                assertThat(Arrays.stream(noWarm.passes()).sum()).isEqualTo(cold.images());
            }
        });
    }

    @Test
    void planParsesOverridesAndRejectsUnknownKeysAndConflicts() {
        FastestMode p = FastestMode.parse("warm=5, inner-step=0.75,threshold=0.4");
        assertThat(p.warmSteps()).isEqualTo(5);
        assertThat(p.innerStep()).isEqualTo(0.75);
        assertThat(p.lossThreshold()).isEqualTo(0.4);
        assertThat(p.innerSteps()).isEqualTo(FastestMode.DEFAULT.innerSteps());
        assertThat(FastestMode.parse(null)).isEqualTo(FastestMode.DEFAULT);
        assertThatThrownBy(() -> FastestMode.parse("warmth=3")).hasMessageContaining("warmth");
        assertThatThrownBy(() -> FastestMode.parse("warm=x")).hasMessageContaining("warm");
        assertThatThrownBy(() -> FastestMode.parse("inner=0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RobustifyConfig.builder(Norm.LINF, 0.03).optFast(FastMode.DEFAULT)
                .optFastest(FastestMode.DEFAULT).build()).hasMessageContaining("one speed");
    }

    @Test
    void outerLearningRateIsTheNormDefaultTimesThePlansScaleUnlessGiven() {
        for (Norm norm : Norm.values()) {
            double plain = RobustifyConfig.builder(norm, 0.03).build().lr();
            assertThat(RobustifyConfig.builder(norm, 0.03).optFastest(FastestMode.DEFAULT).build().lr())
                    .isEqualTo(plain * FastestMode.DEFAULT.lrScale()).isEqualTo(2 * plain);
            assertThat(RobustifyConfig.builder(norm, 0.03).optFastest(FastestMode.parse("lr-scale=3")).build().lr())
                    .isEqualTo(3 * plain);
            assertThat(RobustifyConfig.builder(norm, 0.03).optFastest(FastestMode.DEFAULT).optLr(0.05).build().lr())
                    .isEqualTo(0.05);
        }
        assertThatThrownBy(() -> FastestMode.parse("lr-scale=0")).isInstanceOf(IllegalArgumentException.class);
    }
}

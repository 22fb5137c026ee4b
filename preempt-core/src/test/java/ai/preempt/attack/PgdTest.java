package ai.preempt.attack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.Classifier;
import ai.preempt.model.LinearClassifier;
import ai.preempt.model.MinRowsClassifier;
import ai.preempt.model.NativeClassifier;
import ai.preempt.model.TestModels;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PgdTest {

    /** Two-class linear model on 3×4×4 images; the class-1 minus class-0 weight is v. */
    private static LinearClassifier twoClass(NDManager m, float[] v) {
        float[] zero = new float[v.length];
        return new LinearClassifier(m, new float[][] {zero, v}, new float[] {0f, 0f}, new Shape(3, 4, 4));
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void pgdOnLinearClassifierReachesClosedFormWorstCase(Norm norm) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                Rng rng = new Rng(7);
                float[] v = new float[48];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (rng.nextDouble() - 0.5);
                }
                LinearClassifier f = twoClass(m, v);
                // pixels in [0.3, 0.7] so the [0,1] clamp never binds
                NDArray x = rng.uniform(m, new Shape(3, 3, 4, 4), 0.3, 0.7);
                NDArray y = m.create(new long[] {0, 0, 0});
                double eps = norm == Norm.LINF ? 8 / 255.0 : 0.5;
                ThreatModel t = ThreatModel.of(norm, eps);
                Pgd pgd = Pgd.builder().setThreat(t).optSteps(norm == Norm.LINF ? 20 : 60).optSeed(1).build();
                NDArray adv = pgd.perturb(f, x, y).adversarial();
                // CE toward class 0 grows with v·x, so the worst case is x + ε·sign(v) (L∞) or x + ε·v/‖v‖ (L2)
                NDArray vArr = m.create(v).reshape(1, 3, 4, 4);
                NDArray expected = norm == Norm.LINF ? x.add(vArr.sign().mul(eps))
                        : x.add(vArr.div(vArr.norm()).mul(eps));
                float tol = norm == Norm.LINF ? 1e-6f : 2e-3f;
                assertThat(adv.sub(expected).abs().max().getFloat()).isLessThan(tol);
                float worstMargin = (float) (norm == Norm.LINF ? eps * vArr.abs().sum().getFloat()
                        : eps * vArr.norm().getFloat());
                NDArray gain = f.logits(adv).sub(f.logits(x)).get(":, 1").sub(f.logits(adv).sub(f.logits(x)).get(":, 0"));
                assertThat(gain.min().getFloat()).isCloseTo(worstMargin, Offset.offset(worstMargin * 1e-3f));
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void sameSeedGivesIdenticalOutputAndOutputStaysInBall(Norm norm) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); NativeClassifier f = TestModels.tinyResNet(2)) {
                NDArray x = new Rng(5).uniform(m, new Shape(4, 3, 32, 32), 0, 1);
                NDArray y = m.create(new long[] {1, 2, 3, 4});
                ThreatModel t = ThreatModel.of(norm, norm == Norm.LINF ? 8 / 255.0 : 0.5);
                Pgd pgd = Pgd.builder().setThreat(t).optSteps(5).optRestarts(2).optSeed(11).build();
                NDArray a = pgd.perturb(f, x, y).adversarial();
                NDArray b = pgd.perturb(f, x, y).adversarial();
                assertThat(a.sub(b).abs().max().getFloat()).isEqualTo(0f);
                assertThat(t.distance(a, x).max().getFloat()).isLessThanOrEqualTo((float) t.eps() + 1e-6f);
                assertThat(a.min().getFloat()).isGreaterThanOrEqualTo(0f);
                assertThat(a.max().getFloat()).isLessThanOrEqualTo(1f);
                NDArray c = Pgd.builder().setThreat(t).optSteps(5).optRestarts(2).optSeed(12).build()
                        .perturb(f, x, y).adversarial();
                assertThat(a.sub(c).abs().max().getFloat()).isGreaterThan(0f);
            }
        });
    }

    @Test
    void pgdAt8Over255DropsAnUndefendedTrainedModelBelowFivePercent() {
        PreemptEngine.run(() -> {
            NativeClassifier f = ai.preempt.model.TrainedTinyModel.get();
            ai.preempt.data.LabeledImages test = ai.preempt.data.Cifar10.load(ai.preempt.data.TestData.cifarDir(),
                    ai.preempt.data.Split.TEST).subset(200, 0);
            ai.preempt.report.AttackReport r = ai.preempt.eval.AttackEvaluation.run(f,
                    Pgd.builder().setThreat(ThreatModel.of(Norm.LINF, 8 / 255.0)).build(), test, 100, java.util.Map.of(),
                    ai.preempt.io.Progress.NONE);
            assertThat(r.cleanAccuracy()).isGreaterThan(0.25);
            assertThat(r.robustAccuracy()).isLessThan(0.05);
            assertThat(r.images()).hasSize(200);
        });
    }

    @Test
    void restartsOnlyEverAddSuccesses() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); NativeClassifier f = TestModels.tinyResNet(3)) {
                NDArray x = new Rng(8).uniform(m, new Shape(8, 3, 32, 32), 0, 1);
                NDArray y = f.predict(x);
                ThreatModel t = ThreatModel.of(Norm.LINF, 1 / 255.0);
                AttackResult one = Pgd.builder().setThreat(t).optSteps(3).optSeed(4).build().perturb(f, x, y);
                AttackResult three = Pgd.builder().setThreat(t).optSteps(3).optRestarts(3).optSeed(4).build()
                        .perturb(f, x, y);
                for (int i = 0; i < 8; i++) {
                    if (one.success()[i]) {
                        assertThat(three.success()[i]).isTrue();
                    }
                }
                long[] p = f.predict(three.adversarial()).toLongArray();
                long[] labels = y.toLongArray();
                for (int i = 0; i < 8; i++) {
                    assertThat(three.success()[i]).isEqualTo(p[i] != labels[i]);
                }
            }
        });
    }

    /**
     * Restarts of a small batch run side by side (one pass over n × restarts rows); each image gets what running
     * the restarts in turn gives it (to the last float bit): rows 0–2 of a 17-image batch (34 rows: in turn) against the same 3 images
     * alone (6 rows: side by side). Per-image random starts keep each image's draws whatever shares its batch.
     */
    @ParameterizedTest
    @EnumSource(Norm.class)
    void restartsSideBySideGiveEachImageWhatRestartsInTurnGive(Norm norm) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); NativeClassifier net = TestModels.tinyResNet(4)) {
                Classifier f = new MinRowsClassifier(net, 4);
                NDArray x = new Rng(9).uniform(m, new Shape(17, 3, 32, 32), 0, 1);
                long[] labels = new long[17];
                for (int i = 0; i < labels.length; i++) {
                    labels[i] = i % 10;
                }
                NDArray y = m.create(labels);
                int restarts = 2;
                assertThat(17 * restarts).isGreaterThan(Pgd.SIDE_BY_SIDE_ROWS);
                assertThat(3 * restarts).isLessThanOrEqualTo(Pgd.SIDE_BY_SIDE_ROWS);
                ThreatModel t = ThreatModel.of(norm, norm == Norm.LINF ? 4 / 255.0 : 0.25);
                Pgd pgd = Pgd.builder().setThreat(t).optSteps(3).optRestarts(restarts).optSeed(3).build();
                AttackResult inTurn = pgd.perturb(f, x, y);
                NDArray three = x.get("0:3");
                AttackResult sideBySide = pgd.perturb(f, three, y.get("0:3"));
                boolean[] fooled = java.util.Arrays.copyOf(inTurn.success(), 3);
                assertThat(sideBySide.success()).containsExactly(fooled);
                assertThat(sideBySide.predictions()).containsExactly(java.util.Arrays.copyOf(inTurn.predictions(), 3));
                // the same point, up to the last bit of reductions PyTorch splits by batch size over threads (the L2
                // norm differed by one ulp at two threads); a wrong restart or stream is off by far more
                assertThat(sideBySide.adversarial().sub(inTurn.adversarial().get("0:3")).abs().max().getFloat())
                        .isLessThan(1e-6f);
                // the comparison means something: some images fooled, some not, and the restarts end apart
                assertThat(fooled).contains(true);
                assertThat(pgd.perturb(f, three, y.get("0:3")).adversarial().sub(
                        Pgd.builder().setThreat(t).optSteps(3).optRestarts(1).optSeed(3).build()
                                .perturb(f, three, y.get("0:3")).adversarial()).abs().max().getFloat())
                        .isGreaterThan(0f);
            }
        });
    }
}

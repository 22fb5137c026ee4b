package ai.preempt.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.data.Cifar10;
import ai.preempt.data.LabeledImages;
import ai.preempt.data.Split;
import ai.preempt.data.TestData;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.model.Classifier;
import ai.preempt.model.LinearClassifier;
import ai.preempt.model.Models;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AutoAttackTest {

    /**
     * A self-contained CIFAR-10 model with no training: the nearest-class-mean rule as a linear classifier,
     * w_k = μ_k, b_k = −‖μ_k‖²/2, with class means from test images 1000..2999 (≈ 25% accuracy).
     */
    static LinearClassifier classMeans(NDManager m, LabeledImages data) {
        NDArray x = data.images(m, 1000, 3000).reshape(2000, -1);
        long[] y = data.labels(m, 1000, 3000).toLongArray();
        float[] flat = x.toFloatArray();
        float[][] mu = new float[10][3072];
        int[] count = new int[10];
        for (int i = 0; i < 2000; i++) {
            int k = (int) y[i];
            count[k]++;
            for (int j = 0; j < 3072; j++) {
                mu[k][j] += flat[i * 3072 + j];
            }
        }
        float[] b = new float[10];
        for (int k = 0; k < 10; k++) {
            for (int j = 0; j < 3072; j++) {
                mu[k][j] /= count[k];
                b[k] -= mu[k][j] * mu[k][j] / 2;
            }
        }
        return new LinearClassifier(m, mu, b, new Shape(3, 32, 32)).scaled(10f);
    }

    @Test
    void autoAttackIsNeverWeakerThanPgd20OnTheSameImages() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                LabeledImages data = Cifar10.load(TestData.cifarDir(), Split.TEST);
                Classifier f = classMeans(m, data);
                NDArray x = data.images(m, 0, 48);
                NDArray y = data.labels(m, 0, 48);
                for (Norm norm : Norm.values()) {
                    ThreatModel t = ThreatModel.of(norm, norm == Norm.LINF ? 0.5 / 255 : 0.05);
                    // the standard ensemble, shortened to keep the test quick on a busy 2-core machine
                    AutoAttack aa = AutoAttack.builder().setThreat(t).optIterations(30).optTargetClasses(3)
                            .optSquareQueries(100).optSeed(2).build();
                    AutoAttack.Result r = aa.run(f, x, y);
                    AttackResult pgd = Pgd.builder().setThreat(t).optSeed(2).build().perturb(f, x, y);
                    int clean = 0;
                    int robustPgd = 0;
                    int robustAa = 0;
                    for (int i = 0; i < 48; i++) {
                        clean += r.cleanCorrect()[i] ? 1 : 0;
                        robustPgd += r.cleanCorrect()[i] && !pgd.success()[i] ? 1 : 0;
                        robustAa += r.cleanCorrect()[i] && !r.result().success()[i] ? 1 : 0;
                        // AutoAttack's robust images are robust to every component
                        assertThat(r.fooledBy()[i] == AutoAttack.NONE).isEqualTo(!r.result().success()[i]
                                || !r.cleanCorrect()[i]);
                    }
                    assertThat(clean).as("clean").isGreaterThan(6);
                    assertThat(robustPgd).as("PGD leaves some images robust, %s", t.describe()).isGreaterThan(0);
                    assertThat(robustAa).as("AA vs PGD-20, %s", t.describe()).isLessThanOrEqualTo(robustPgd);
                    assertThat(r.successes(0)).as("APGD-CE does most of the work").isGreaterThan(0);
                }
            }
        });
    }

    /** The bundled undefended model, when the repository has it (it is committed once trained). */
    @Test
    void undefendedBundledModelHasRobustAccuracyNearZeroAt8Over255() {
        Path dir = Path.of("../models/standard");
        assumeTrue(Files.isRegularFile(dir.resolve("card.json")), "no bundled standard model in this checkout");
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); Classifier f = Models.load(dir.toString())) {
                LabeledImages data = Cifar10.load(TestData.cifarDir(), Split.TEST).subset(24, 0);
                NDArray x = data.images(m, 0, 24);
                NDArray y = data.labels(m, 0, 24);
                ThreatModel t = ThreatModel.of(Norm.LINF, 8 / 255.0);
                AutoAttack.Result r = AutoAttack.builder().setThreat(t).optSeed(0).build().run(f, x, y);
                int clean = 0;
                int robust = 0;
                for (int i = 0; i < 24; i++) {
                    clean += r.cleanCorrect()[i] ? 1 : 0;
                    robust += r.cleanCorrect()[i] && !r.result().success()[i] ? 1 : 0;
                }
                assertThat(clean).isGreaterThanOrEqualTo(12);
                assertThat(robust).isLessThanOrEqualTo(1);
            }
        });
    }

    /**
     * For every bundled model present in the checkout: AutoAttack (shortened, but with at least PGD-20's 20
     * iterations in each gradient component) never leaves more images robust than PGD-20 on the same images.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"standard", "adv-linf", "adv-l2", "preempt-linf",
            "gaussian-0.25", "gaussian-0.1"})
    void autoAttackIsNeverWeakerThanPgd20OnABundledModel(String name) {
        Path dir = Path.of("../models", name);
        assumeTrue(Files.isRegularFile(dir.resolve("card.json")), "bundled model " + name + " not in this checkout");
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); Classifier f = Models.load(dir.toString())) {
                LabeledImages data = Cifar10.load(TestData.cifarDir(), Split.TEST).subset(12, 1);
                NDArray x = data.images(m, 0, 12);
                NDArray y = data.labels(m, 0, 12);
                ThreatModel t = name.contains("l2") ? ThreatModel.of(Norm.L2, 0.5) : ThreatModel.of(Norm.LINF, 8 / 255.0);
                AutoAttack.Result r = AutoAttack.builder().setThreat(t).optIterations(25).optTargetClasses(3)
                        .optSquareQueries(100).optSeed(0).build().run(f, x, y);
                AttackResult pgd = Pgd.builder().setThreat(t).optSeed(0).build().perturb(f, x, y);
                int robustPgd = 0;
                int robustAa = 0;
                for (int i = 0; i < 12; i++) {
                    robustPgd += r.cleanCorrect()[i] && !pgd.success()[i] ? 1 : 0;
                    robustAa += r.cleanCorrect()[i] && !r.result().success()[i] ? 1 : 0;
                }
                assertThat(robustAa).as("AA vs PGD-20 robust images on %s, %s", name, t.describe())
                        .isLessThanOrEqualTo(robustPgd);
            }
        });
    }
}

package ai.preempt.attack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.NativeClassifier;
import ai.preempt.model.TestModels;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AutoAttackComponentsTest {

    static ThreatModel threat(Norm norm) {
        return ThreatModel.of(norm, norm == Norm.LINF ? 8 / 255.0 : 0.5);
    }

    /** Each attack with few iterations so the test stays fast. */
    static List<Function<ThreatModel, Attack>> attacks() {
        return List.of(
                t -> ApgdCe.builder().setThreat(t).optIterations(8).optSeed(3).build(),
                t -> ApgdT.builder().setThreat(t).optIterations(5).optTargetClasses(2).optSeed(3).build(),
                t -> FabT.builder().setThreat(t).optIterations(6).optTargetClasses(2).build(),
                t -> Square.builder().setThreat(t).optQueries(40).optSeed(3).build());
    }

    static Stream<Arguments> attackAndNorm() {
        return attacks().stream().flatMap(a -> Stream.of(Arguments.of(a, Norm.LINF), Arguments.of(a, Norm.L2)));
    }

    @ParameterizedTest
    @MethodSource("attackAndNorm")
    void outputStaysInsideTheBallAndThePixelBoxAndSuccessMatchesThePrediction(Function<ThreatModel, Attack> make,
            Norm norm) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); NativeClassifier f = TestModels.tinyResNet(4)) {
                // include saturated pixels so the [0,1] clamp matters
                NDArray x = new Rng(9).uniform(m, new Shape(6, 3, 32, 32), -0.3, 1.3).clip(0, 1);
                NDArray y = f.predict(x);
                ThreatModel t = threat(norm);
                Attack a = make.apply(t);
                AttackResult r = a.perturb(f, x, y);
                NDArray adv = r.adversarial();
                assertThat(adv.getShape()).isEqualTo(x.getShape());
                assertThat(t.distance(adv, x).max().getFloat()).isLessThanOrEqualTo((float) t.eps() * 1.0001f + 1e-6f);
                assertThat(adv.min().getFloat()).isGreaterThanOrEqualTo(0f);
                assertThat(adv.max().getFloat()).isLessThanOrEqualTo(1f);
                long[] p = f.predict(adv).toLongArray();
                long[] labels = y.toLongArray();
                for (int i = 0; i < p.length; i++) {
                    assertThat(r.success()[i]).isEqualTo(p[i] != labels[i]);
                    assertThat(r.predictions()[i]).isEqualTo(p[i]);
                }
                assertThat(a.toString()).contains(t.describe());
            }
        });
    }

    @ParameterizedTest
    @MethodSource("attackAndNorm")
    void sameSeedGivesTheSameResult(Function<ThreatModel, Attack> make, Norm norm) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); NativeClassifier f = TestModels.tinyResNet(5)) {
                NDArray x = new Rng(10).uniform(m, new Shape(4, 3, 32, 32), 0, 1);
                NDArray y = f.predict(x);
                Attack a = make.apply(threat(norm));
                AttackResult r1 = a.perturb(f, x, y);
                AttackResult r2 = make.apply(threat(norm)).perturb(f, x, y);
                assertThat(r1.adversarial().sub(r2.adversarial()).abs().max().getFloat()).isEqualTo(0f);
                assertThat(r1.success()).isEqualTo(r2.success());
            }
        });
    }
}

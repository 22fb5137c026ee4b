package ai.preempt.attack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.preempt.model.Classifier;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Properties every AutoAttack component (and the ensemble) must have, for both norms. */
class AutoAttackComponentsTest {

    /** Each attack with few iterations so the test stays fast. */
    static List<Function<ThreatModel, Attack>> attacks() {
        return List.of(
                t -> ApgdCe.builder().setThreat(t).optIterations(10).optSeed(3).build(),
                t -> ApgdT.builder().setThreat(t).optIterations(8).optTargetClasses(3).optSeed(3).build(),
                t -> FabT.builder().setThreat(t).optIterations(10).optTargetClasses(3).build(),
                t -> Square.builder().setThreat(t).optQueries(60).optSeed(3).build(),
                t -> AutoAttack.builder().setThreat(t).optIterations(5).optTargetClasses(2).optSquareQueries(20)
                        .optSeed(3).build());
    }

    static Stream<Arguments> attackAndNorm() {
        return attacks().stream().flatMap(a -> Stream.of(Arguments.of(a, Norm.LINF), Arguments.of(a, Norm.L2)));
    }

    @ParameterizedTest
    @MethodSource("attackAndNorm")
    void outputStaysInsideTheBallAndThePixelBoxAndSuccessMatchesThePrediction(Function<ThreatModel, Attack> make,
            Norm norm) {
        // the small scale puts clean images near the boundaries, so attacks fool some but not all
        AttackFixtures.onProblem(4, norm == Norm.LINF ? 0.05f : 0.2f, 12, 9, pr -> {
            Classifier f = pr.model();
            NDArray x = pr.images();
            ThreatModel t = AttackFixtures.threat(norm);
            Attack a = make.apply(t);
            AttackResult r = a.perturb(f, x, pr.labels());
            NDArray adv = r.adversarial();
            assertThat(adv.getShape()).isEqualTo(x.getShape());
            assertThat(t.distance(adv, x).max().getFloat()).isLessThanOrEqualTo((float) (t.eps() * 1.0001 + 1e-6));
            assertThat(adv.min().getFloat()).isGreaterThanOrEqualTo(0f);
            assertThat(adv.max().getFloat()).isLessThanOrEqualTo(1f);
            long[] p = f.predict(adv).toLongArray();
            long[] labels = pr.labels().toLongArray();
            for (int i = 0; i < p.length; i++) {
                assertThat(r.success()[i]).isEqualTo(p[i] != labels[i]);
                assertThat(r.predictions()[i]).isEqualTo(p[i]);
            }
            assertThat(r.successes()).as("%s fools some images", a).isGreaterThan(0);
            assertThat(a.toString()).contains(t.describe());
        });
    }

    @ParameterizedTest
    @MethodSource("attackAndNorm")
    void sameSeedGivesTheSameResult(Function<ThreatModel, Attack> make, Norm norm) {
        AttackFixtures.onProblem(5, 0.05f, 6, 10, pr -> {
            AttackResult r1 = make.apply(AttackFixtures.threat(norm)).perturb(pr.model(), pr.images(), pr.labels());
            AttackResult r2 = make.apply(AttackFixtures.threat(norm)).perturb(pr.model(), pr.images(), pr.labels());
            assertThat(r1.adversarial().sub(r2.adversarial()).abs().max().getFloat()).isEqualTo(0f);
            assertThat(r1.success()).isEqualTo(r2.success());
        });
    }

    @ParameterizedTest
    @MethodSource("attackAndNorm")
    void repeatedRunsDoNotGrowTheNumberOfLiveArrays(Function<ThreatModel, Attack> make, Norm norm) {
        AttackFixtures.onProblem(6, 0.05f, 4, 11, pr -> {
            Attack a = make.apply(AttackFixtures.threat(norm));
            int[] counts = AttackFixtures.liveArraysAfterRuns(pr.manager(), 4,
                    () -> a.perturb(pr.model(), pr.images(), pr.labels()));
            assertThat(counts[3]).isEqualTo(counts[1]);
        });
    }
}

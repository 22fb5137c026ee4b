package ai.preempt.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.attack.Attack;
import ai.preempt.attack.AutoAttack;
import ai.preempt.attack.Square;
import ai.preempt.data.LabeledImages;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.io.Progress;
import ai.preempt.model.Classifier;
import ai.preempt.model.LinearClassifier;
import ai.preempt.model.ModelCard;
import ai.preempt.report.AutoAttackReport;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AutoAttackEvaluationTest {

    private static final ThreatModel LINF = ThreatModel.of(Norm.LINF, 8 / 255.0);


    private static AutoAttack shortAa() {
        return AutoAttack.builder().setThreat(LINF).optIterations(6).optTargetClasses(2).optSquareQueries(30)
                .optSeed(5).build();
    }

    /** Stops the run (like a kill) at the second batch of the named component. */
    private static Progress interruptAt(String task) {
        return new Progress() {
            String current;
            int batches;

            @Override
            public void start(String t, long total) {
                current = t;
            }

            @Override
            public void advance(long n, String status) {
                if (current.equals(task) && ++batches == 2) {
                    throw new IllegalStateException("interrupted");
                }
            }

            @Override
            public void finish() {}
        };
    }

    @Test
    void interruptedRunResumedFromItsStateFileGivesTheUninterruptedResult(@TempDir Path dir) throws Exception {
        EvalFixtures.onLinear(20, (m, f, data) -> {
            AutoAttackReport whole = AutoAttackEvaluation.run(f, shortAa(), data, 4, Map.of(), Progress.NONE, null);
            Path state = dir.resolve("aa-state.json");
            assertThatThrownBy(() -> AutoAttackEvaluation.run(f, shortAa(), data, 4, Map.of(),
                    interruptAt("apgd-t"), state)).hasMessage("interrupted");
            JsonNode saved = ModelCard.JSON.readTree(state.toFile());
            assertThat(saved.get("images").size()).isEqualTo(data.size());
            assertThat(saved.get("images").has(Integer.toString(data.index(0)))).isTrue();
            AutoAttackReport resumed = AutoAttackEvaluation.run(f, shortAa(), data, 4, Map.of(), Progress.NONE,
                    state);
            assertThat(resumed.images()).isEqualTo(whole.images());
            assertThat(resumed.componentSuccesses()).isEqualTo(whole.componentSuccesses());
            assertThat(whole.componentSuccesses().values().stream().mapToInt(Integer::intValue).sum())
                    .as("the attack fools some images").isGreaterThan(0);
            assertThat(whole.robustAccuracy()).isLessThanOrEqualTo(whole.cleanAccuracy());
            // per-component counts add up: clean − robust = total successes
            int fooled = whole.componentSuccesses().values().stream().mapToInt(Integer::intValue).sum();
            assertThat(Math.round((whole.cleanAccuracy() - whole.robustAccuracy()) * data.size()))
                    .isEqualTo(fooled);
            // a finished state file makes a rerun do no attack work at all and give the same report
            ai.preempt.model.CountingClassifier counting = new ai.preempt.model.CountingClassifier(f);
            AutoAttackReport again = AutoAttackEvaluation.run(counting, shortAa(), data, 4, Map.of(),
                    Progress.NONE, state);
            assertThat(again.images()).isEqualTo(whole.images());
            assertThat(counting.calls()).isZero();
        });
    }

    @Test
    void stateFileOfAnotherRunIsRejected(@TempDir Path dir) {
        EvalFixtures.onLinear(6, (m, f, data) -> {
            Path state = dir.resolve("s.json");
            AutoAttackEvaluation.run(f, shortAa(), data, 4, Map.of(), Progress.NONE, state);
            AutoAttack other = AutoAttack.builder().setThreat(LINF).optIterations(7).optTargetClasses(2)
                    .optSquareQueries(30).optSeed(5).build();
            assertThatThrownBy(() -> AutoAttackEvaluation.run(f, other, data, 4, Map.of(), Progress.NONE, state))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another run");
        });
    }

    @Test
    void maskedGradientsAreFlaggedAndOnlySquareSucceeds() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                var p = ai.preempt.attack.AttackFixturesAccess.masked(m, 6, 21);
                LabeledImages data = LabeledImages.of(p.bytes(), p.labels(), List.of("a", "b"), 3, 8, 8);
                List<Attack> comps = List.of(
                        ai.preempt.attack.ApgdCe.builder().setThreat(LINF).optIterations(10).build(),
                        Square.builder().setThreat(LINF).optQueries(1000).optRescaleSchedule(true).build());
                AutoAttack aa = AutoAttack.builder().setThreat(LINF).optComponents(comps).build();
                AutoAttackReport r = AutoAttackEvaluation.run(p.model(), aa, data, 4, Map.of(), Progress.NONE, null);
                assertThat(r.cleanAccuracy()).isEqualTo(1.0);
                assertThat(r.robustAccuracy()).isEqualTo(0.0);
                assertThat(r.componentSuccesses()).containsEntry("apgd-ce", 0).containsEntry("square", 6);
                assertThat(r.checks().zeroGradientImages()).isEqualTo(6);
                assertThat(r.checks().squareAfterGradientAttacks()).isEqualTo(6);
                assertThat(r.checks().randomised()).isFalse();
                assertThat(r.checks().warnings()).hasSize(2);
            }
        });
    }

    @Test
    void randomisedModelIsFlagged() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                LinearClassifier lin = EvalFixtures.linear(m);
                Rng noise = new Rng(1);
                Classifier noisy = new Classifier() {
                    @Override
                    public NDArray logits(NDArray images) {
                        return lin.logits(images.add(noise.normal(images.getManager(), images.getShape()).mul(0.01f)));
                    }

                    @Override
                    public int numClasses() {
                        return 10;
                    }

                    @Override
                    public Shape inputShape() {
                        return lin.inputShape();
                    }

                    @Override
                    public List<String> classes() {
                        return lin.classes();
                    }

                    @Override
                    public String name() {
                        return "noisy";
                    }

                    @Override
                    public void close() {}
                };
                LabeledImages data = EvalFixtures.images(lin, m, 6);
                AutoAttack aa = AutoAttack.builder().setThreat(LINF)
                        .optComponents(List.of(ai.preempt.attack.ApgdCe.builder().setThreat(LINF).optIterations(3).build()))
                        .build();
                AutoAttackReport r = AutoAttackEvaluation.run(noisy, aa, data, 8, Map.of(), Progress.NONE, null);
                assertThat(r.checks().randomised()).isTrue();
                assertThat(r.checks().warnings()).anyMatch(w -> w.contains("randomised"));
            }
        });
    }
}

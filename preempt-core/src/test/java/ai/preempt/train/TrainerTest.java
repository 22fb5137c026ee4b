package ai.preempt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.preempt.data.Cifar10;
import ai.preempt.data.LabeledImages;
import ai.preempt.data.Split;
import ai.preempt.data.TestData;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.io.Progress;
import ai.preempt.model.Architecture;
import ai.preempt.model.Losses;
import ai.preempt.model.ModelException;
import ai.preempt.model.NativeClassifier;
import ai.preempt.model.TestModels;
import ai.preempt.threat.Norm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

    static LabeledImages train;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        train = Cifar10.load(TestData.cifarDir(), Split.TRAIN);
    }

    private static TrainConfig.Builder tiny() {
        return TrainConfig.builder().optArch("resnet8w2").optEpochs(2).optBatch(64).optTrainLimit(256).optLr(0.05)
                .optSeed(3);
    }

    @Test
    void aFewOptimisationStepsLowerTheLoss() throws Exception {
        TrainResult r = new Trainer(tiny().setMethod(Method.STANDARD).optEpochs(4).build(), tmp.resolve("m"),
                Progress.NONE).train(train, false);
        double first = ((Number) r.history().get(0).get("train_loss")).doubleValue();
        double last = ((Number) r.history().get(3).get("train_loss")).doubleValue();
        assertThat(last).isLessThan(first - 0.1);
        assertThat(tmp.resolve("m/model.params")).exists();
        assertThat(tmp.resolve("m/card.json")).exists();
        assertThat(tmp.resolve("m/train.log.jsonl")).exists();
    }

    /** Aborts training after a number of batches, as a kill would. */
    private static final class KillAfter implements Progress {
        private final long limit;
        private long done;

        KillAfter(long limit) {
            this.limit = limit;
        }

        @Override
        public void start(String task, long total) {}

        @Override
        public void advance(long n, String status) {
            done += n;
            if (done >= limit) {
                throw new IllegalStateException("killed");
            }
        }

        @Override
        public void finish() {}
    }

    @Test
    void resumeAfterAKillMidEpochGivesTheSameWeightsAsAnUninterruptedRun() throws Exception {
        // Algorithm 2 with both PGDs, fine-tuned from saved weights, a checkpoint every 2 batches
        Path init = tmp.resolve("init");
        new Trainer(tiny().setMethod(Method.STANDARD).optEpochs(1).optTrainLimit(64).build(), init, Progress.NONE)
                .train(train, false);
        TrainConfig cfg = tiny().setMethod(Method.PREEMPT).optRobustSteps(2).optRobustStep(0.5).optAttackSteps(2)
                .optAttackStep(0.5).optInit(init.resolve("model.params").toString()).optTrainLimit(64).optBatch(16)
                .optValidation(16).optCheckpointBatches(2).build();
        new Trainer(cfg, tmp.resolve("a"), Progress.NONE).train(train, false);
        // 4 batches per epoch: die after batch 3 of epoch 2 (its last checkpoint: after batch 2), then resume
        assertThatThrownBy(() -> new Trainer(cfg, tmp.resolve("b"), new KillAfter(7)).train(train, false))
                .hasMessageContaining("killed");
        assertThat(tmp.resolve("b/model.params")).doesNotExist();
        assertThat(state(tmp.resolve("b"))).containsEntry("epochs_done", 1).containsEntry("batches_done", 2);
        new Trainer(cfg.withCheckpointBatches(0), tmp.resolve("b"), Progress.NONE).train(train, true);
        assertThat(Files.readAllBytes(tmp.resolve("b/checkpoint/last/last.params")))
                .isEqualTo(Files.readAllBytes(tmp.resolve("a/checkpoint/last/last.params")));
        assertThat(Files.readAllBytes(tmp.resolve("b/model.params")))
                .isEqualTo(Files.readAllBytes(tmp.resolve("a/model.params")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> state(Path dir) throws java.io.IOException {
        return ai.preempt.model.ModelCard.JSON.readValue(dir.resolve("checkpoint/last/state.json").toFile(), Map.class);
    }

    @Test
    void resumeWithOtherSettingsIsRefused() throws Exception {
        new Trainer(tiny().setMethod(Method.STANDARD).optEpochs(1).build(), tmp.resolve("c"), Progress.NONE)
                .train(train, false);
        assertThatThrownBy(() -> new Trainer(tiny().setMethod(Method.STANDARD).optEpochs(1).optLr(0.2).build(),
                tmp.resolve("c"), Progress.NONE).train(train, true)).hasMessageContaining("different settings");
    }

    @Test
    void algorithm2FirstStepLowersCrossEntropyTowardTheTrueLabelInsideTheDeltaBall() {
        onSixteenImages((f, x, y) -> {
            float before = Losses.crossEntropy(f.logits(x), y).sum().getFloat();
            // one step (the first), the two-step recipe, the single-step (fast) variant
            for (TrainConfig cfg : new TrainConfig[] {
                tiny().setMethod(Method.PREEMPT).optRobustSteps(1).optRobustStep(0.5).build(),
                tiny().setMethod(Method.PREEMPT).optRobustSteps(2).optRobustStep(0.5).build(),
                tiny().setMethod(Method.PREEMPT).optFast(true).build()}) {
                NDArray robust = new TrainingPoints(cfg).towardRobust(f, x, y, new Rng(1));
                float after = Losses.crossEntropy(f.logits(robust), y).sum().getFloat();
                assertThat(after).as(cfg.toString()).isLessThan(before);
                assertInside(robust, x, cfg.eps());
            }
        });
    }

    @Test
    void algorithm2AdversarialPointRaisesTheLossInsideTheEpsBallAroundTheRobustPoint() {
        onSixteenImages((f, x, y) -> {
            TrainConfig cfg = tiny().setMethod(Method.PREEMPT).optRobustSteps(2).optRobustStep(0.5)
                    .optAttackSteps(3).optAttackStep(0.5).build();
            TrainingPoints points = new TrainingPoints(cfg);
            // make() = x_adv(x̂(x)); the same stream replays x̂ (its PGD has no random start)
            NDArray adv = points.make(f, x, y, new Rng(2));
            NDArray robust = points.towardRobust(f, x, y, new Rng(2));
            assertInside(adv, robust, cfg.eps());
            assertThat(Losses.crossEntropy(f.logits(adv), y).sum().getFloat())
                    .isGreaterThan(Losses.crossEntropy(f.logits(robust), y).sum().getFloat());
        });
    }

    /** A test on a fresh tiny model and the first 16 training images with their labels. */
    private interface ModelImagesTest {
        void run(NativeClassifier f, NDArray x, NDArray y);
    }

    /** Runs {@code test} on the compute thread; closes its model and arrays afterwards. */
    private static void onSixteenImages(ModelImagesTest test) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); NativeClassifier f = TestModels.tinyResNet(8)) {
                LabeledImages few = train.head(16);
                test.run(f, few.images(m, 0, 16), few.labels(m, 0, 16));
            }
        });
    }

    /** Asserts that every pixel of {@code p} lies in [0,1] and within {@code eps} of {@code center} (L∞). */
    private static void assertInside(NDArray p, NDArray center, double eps) {
        assertThat(p.sub(center).abs().max().getFloat()).isLessThanOrEqualTo((float) eps + 1e-6f);
        assertThat(p.min().getFloat()).isGreaterThanOrEqualTo(0f);
        assertThat(p.max().getFloat()).isLessThanOrEqualTo(1f);
    }

    @Test
    void unknownMethodArchitectureOrDamagedCheckpointGiveClearErrors() throws Exception {
        assertThatThrownBy(() -> Method.parse("magic")).hasMessageContaining("unknown training method 'magic'");
        assertThatThrownBy(() -> Architecture.of("vgg99")).hasMessageContaining("unknown architecture 'vgg99'");
        assertThatThrownBy(() -> tiny().setMethod(Method.ADV).optEps(-1).build()).hasMessageContaining("--eps");
        Path dir = tmp.resolve("d");
        new Trainer(tiny().setMethod(Method.STANDARD).optEpochs(1).build(), dir, Progress.NONE).train(train, false);
        Files.write(dir.resolve("checkpoint/last/last.params"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> new Trainer(tiny().setMethod(Method.STANDARD).optEpochs(1).build(), dir, Progress.NONE)
                .train(train, true)).isInstanceOf(ModelException.class).hasMessageContaining("damaged");
        Files.write(dir.resolve("model.params"), new byte[] {9, 9});
        assertThatThrownBy(() -> NativeClassifier.load(dir)).isInstanceOf(ModelException.class)
                .hasMessageContaining("cannot read model parameters");
    }

    @Test
    void robustifiedValidationScoresWithTheNamedAttack() throws Exception {
        TrainConfig cfg = tiny().setMethod(Method.PREEMPT).optEpochs(1).optTrainLimit(32).optBatch(16)
                .optRobustSteps(1).optAttackSteps(1).optValidation(8).optRobustifiedValidation(4)
                .optRobustifiedAttack("apgd-ce").build();
        TrainResult r = new Trainer(cfg, tmp.resolve("v"), Progress.NONE).train(train, false);
        Map<String, Object> last = r.history().get(r.history().size() - 1);
        assertThat(last).containsKey("val_robustified_apgd-ce_accuracy").doesNotContainKey(
                "val_robustified_pgd20_accuracy");
        assertThat(last.get("score")).isEqualTo(last.get("val_robustified_apgd-ce_accuracy"));
    }

    @Test
    void aCheckpointWrittenBeforeTheRobustifiedAttackExistedResumesAsPgd() throws Exception {
        TrainConfig cfg = tiny().setMethod(Method.PREEMPT).build();
        @SuppressWarnings("unchecked")
        Map<String, Object> json = ai.preempt.model.ModelCard.JSON.convertValue(cfg, Map.class);
        json.remove("robustified_attack");
        json.remove("robustifiedAttack");
        assertThat(ai.preempt.model.ModelCard.JSON.convertValue(json, TrainConfig.class)).isEqualTo(cfg);
    }

    @Test
    void configurationValidatesItsNumbers() {
        assertThatThrownBy(() -> tiny().setMethod(Method.PREEMPT).optRobustifiedAttack("fgsm").build())
                .hasMessageContaining("unknown attack 'fgsm'");
        assertThatThrownBy(() -> tiny().setMethod(Method.GAUSSIAN).optSigma(0).build()).hasMessageContaining("--sigma");
        assertThatThrownBy(() -> tiny().setMethod(Method.STANDARD).optEpochs(0).build()).hasMessageContaining("--epochs");
        assertThatThrownBy(() -> tiny().setMethod(Method.ADV).optFast(true).optFgsmStep(0).build())
                .hasMessageContaining("--fgsm-step");
        assertThat(Schedule.STEP.rate(0.1, 0.6)).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(Schedule.ONECYCLE.rate(0.2, 0.4)).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-12));
    }
}

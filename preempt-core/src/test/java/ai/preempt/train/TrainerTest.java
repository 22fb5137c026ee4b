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
    void resumeAfterAnInterruptedEpochGivesTheSameWeightsAsAnUninterruptedRun() throws Exception {
        TrainConfig cfg = tiny().setMethod(Method.ADV).optFast(true).optValidation(64).build();
        new Trainer(cfg, tmp.resolve("a"), Progress.NONE).train(train, false);
        // 4 batches per epoch: die in the middle of epoch 2, then resume
        assertThatThrownBy(() -> new Trainer(cfg, tmp.resolve("b"), new KillAfter(6)).train(train, false))
                .hasMessageContaining("killed");
        assertThat(tmp.resolve("b/model.params")).doesNotExist();
        new Trainer(cfg, tmp.resolve("b"), Progress.NONE).train(train, true);
        assertThat(Files.readAllBytes(tmp.resolve("b/checkpoint/last.params")))
                .isEqualTo(Files.readAllBytes(tmp.resolve("a/checkpoint/last.params")));
        assertThat(Files.readAllBytes(tmp.resolve("b/model.params")))
                .isEqualTo(Files.readAllBytes(tmp.resolve("a/model.params")));
    }

    @Test
    void resumeWithOtherSettingsIsRefused() throws Exception {
        new Trainer(tiny().setMethod(Method.STANDARD).optEpochs(1).build(), tmp.resolve("c"), Progress.NONE)
                .train(train, false);
        assertThatThrownBy(() -> new Trainer(tiny().setMethod(Method.STANDARD).optEpochs(1).optLr(0.2).build(),
                tmp.resolve("c"), Progress.NONE).train(train, true)).hasMessageContaining("different settings");
    }

    @Test
    void algorithm2FirstStepLowersCrossEntropyTowardTheTrueLabel() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); NativeClassifier f = TestModels.tinyResNet(8)) {
                LabeledImages few = train.head(16);
                NDArray x = few.images(m, 0, 16);
                NDArray y = few.labels(m, 0, 16);
                for (boolean fast : new boolean[] {false, true}) {
                    TrainConfig cfg = tiny().setMethod(Method.PREEMPT).optFast(fast).optAttackSteps(5).build();
                    NDArray robust = new TrainingPoints(cfg).towardRobust(f, x, y, new Rng(1));
                    float before = Losses.crossEntropy(f.logits(x), y).sum().getFloat();
                    float after = Losses.crossEntropy(f.logits(robust), y).sum().getFloat();
                    assertThat(after).as("fast=" + fast).isLessThan(before);
                    assertThat(robust.sub(x).abs().max().getFloat()).isLessThanOrEqualTo((float) cfg.eps() + 1e-6f);
                }
            }
        });
    }

    @Test
    void unknownMethodArchitectureOrDamagedCheckpointGiveClearErrors() throws Exception {
        assertThatThrownBy(() -> Method.parse("magic")).hasMessageContaining("unknown training method 'magic'");
        assertThatThrownBy(() -> Architecture.of("vgg99")).hasMessageContaining("unknown architecture 'vgg99'");
        assertThatThrownBy(() -> tiny().setMethod(Method.ADV).optEps(-1).build()).hasMessageContaining("--eps");
        Path dir = tmp.resolve("d");
        new Trainer(tiny().setMethod(Method.STANDARD).optEpochs(1).build(), dir, Progress.NONE).train(train, false);
        Files.write(dir.resolve("checkpoint/last.params"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> new Trainer(tiny().setMethod(Method.STANDARD).optEpochs(1).build(), dir, Progress.NONE)
                .train(train, true)).isInstanceOf(ModelException.class).hasMessageContaining("damaged");
        Files.write(dir.resolve("model.params"), new byte[] {9, 9});
        assertThatThrownBy(() -> NativeClassifier.load(dir)).isInstanceOf(ModelException.class)
                .hasMessageContaining("cannot read model parameters");
    }

    @Test
    void configurationValidatesItsNumbers() {
        assertThatThrownBy(() -> tiny().setMethod(Method.GAUSSIAN).optSigma(0).build()).hasMessageContaining("--sigma");
        assertThatThrownBy(() -> tiny().setMethod(Method.STANDARD).optEpochs(0).build()).hasMessageContaining("--epochs");
        assertThatThrownBy(() -> tiny().setMethod(Method.ADV).optFast(true).optFgsmStep(0).build())
                .hasMessageContaining("--fgsm-step");
        assertThat(Schedule.STEP.rate(0.1, 0.6)).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(Schedule.ONECYCLE.rate(0.2, 0.4)).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-12));
    }
}

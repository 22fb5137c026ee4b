package ai.preempt.model;

import ai.preempt.data.Cifar10;
import ai.preempt.data.LabeledImages;
import ai.preempt.data.Split;
import ai.preempt.data.TestData;
import ai.preempt.train.Method;
import ai.preempt.train.Schedule;
import ai.preempt.train.TrainConfig;
import ai.preempt.train.Trainer;
import ai.preempt.io.Progress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small CIFAR-10 model trained once per test JVM (a few thousand images, a few epochs: roughly 40%
 * clean accuracy and no robustness), shared by the tests that need a model that has learnt something.
 */
public final class TrainedTinyModel {

    private static NativeClassifier model;

    private TrainedTinyModel() {}

    /** @return the shared model; do not close it */
    public static synchronized NativeClassifier get() {
        if (model == null) {
            try {
                Path dir = Files.createTempDirectory("preempt-tiny");
                TrainConfig cfg = TrainConfig.builder().setMethod(Method.STANDARD).optArch("resnet8w2").optEpochs(3)
                        .optTrainLimit(4000).optLr(0.1).optSchedule(Schedule.ONECYCLE).optSeed(1).build();
                LabeledImages train = Cifar10.load(TestData.cifarDir(), Split.TRAIN);
                new Trainer(cfg, dir.resolve("tiny"), Progress.NONE).train(train, false);
                model = NativeClassifier.load(dir.resolve("tiny"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return model;
    }
}

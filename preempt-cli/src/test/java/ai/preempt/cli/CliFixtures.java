package ai.preempt.cli;

import ai.preempt.data.TestData;
import ai.preempt.model.NativeClassifier;
import ai.preempt.model.TestModels;
import java.nio.file.Path;

/** Inputs the command tests share: a tiny CIFAR-10 folder and a tiny untrained model directory. */
final class CliFixtures {

    private CliFixtures() {}

    /** A model directory and a CIFAR-10 folder, both under {@code dir}. */
    record Tiny(Path model, Path data) {}

    /** @return a tiny ResNet saved under dir/tiny and a 4-images-per-file CIFAR-10 folder under dir/cifar */
    static Tiny tinyModelAndData(Path dir) throws Exception {
        Path data = dir.resolve("cifar");
        TestData.writeTinyCifar(data, 4);
        Path model = dir.resolve("tiny");
        try (NativeClassifier f = TestModels.tinyResNet(0)) {
            f.save(model, f.card());
        }
        return new Tiny(model, data);
    }
}

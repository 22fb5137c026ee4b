package ai.preempt.model;

import java.util.List;

/** Small models for tests. */
public final class TestModels {
    private TestModels() {}

    /** A freshly initialised tiny CIFAR ResNet. */
    public static NativeClassifier tinyResNet(long seed) {
        ModelCard card = new ModelCard("tiny", "resnet8w2", null, ModelCard.CIFAR_MEAN, ModelCard.CIFAR_STD,
                List.of(3, 32, 32), ModelCard.CIFAR_CLASSES, "test model", null, null, null);
        return NativeClassifier.create(card, seed);
    }
}

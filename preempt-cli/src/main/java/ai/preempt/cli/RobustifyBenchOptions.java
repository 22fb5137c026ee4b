package ai.preempt.cli;

import ai.preempt.data.LabeledImages;
import ai.preempt.data.Split;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What every robustification benchmark takes: model, CIFAR-10, Algorithm 1's options and how many test images. */
final class RobustifyBenchOptions {

    @Mixin CommonOptions common;
    @Mixin ModelOption modelOption;
    @Mixin DataOptions dataOptions;
    @Mixin RobustifyOptions robustifyOptions;

    @Option(names = "--n", defaultValue = "32", description = "Test images (default: ${DEFAULT-VALUE}).")
    int n;

    /** @return the seeded (--seed) random subset of --n images of {@code split} */
    LabeledImages images(Split split) {
        return dataOptions.subset(split, n, robustifyOptions.seed);
    }
}

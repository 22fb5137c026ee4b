package ai.preempt.cli;

import ai.preempt.data.LabeledImages;
import ai.preempt.data.Split;
import java.util.Locale;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What every robustification benchmark takes: model, CIFAR-10, Algorithm 1's options, how many images and from which
 * split.
 */
final class RobustifyBenchOptions {

    @Mixin CommonOptions common;
    @Mixin ModelOption modelOption;
    @Mixin DataOptions dataOptions;
    @Mixin RobustifyOptions robustifyOptions;

    @Option(names = "--n", defaultValue = "32", description = "Images (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--split", defaultValue = "test", description = "Draw the --n images from the test split or "
            + "from the training split (train: for tuning on images no reported figure uses) (default: ${DEFAULT-VALUE}).")
    String split;

    /** @return the split --split names */
    Split split() {
        return switch (split.trim().toLowerCase(Locale.ROOT)) {
            case "test" -> Split.TEST;
            case "train" -> Split.TRAIN;
            default -> throw new IllegalArgumentException("--split must be test or train, got " + split);
        };
    }

    /** @return the split's name as reports print it: test or train */
    String splitName() {
        return split().name().toLowerCase(Locale.ROOT);
    }

    /** @return the seeded (--seed) random subset of --n images of the --split */
    LabeledImages images() {
        return dataOptions.subset(split(), n, robustifyOptions.seed);
    }
}

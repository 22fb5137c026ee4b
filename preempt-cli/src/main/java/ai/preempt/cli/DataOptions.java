package ai.preempt.cli;

import ai.preempt.data.Cifar10;
import ai.preempt.data.DataDirs;
import ai.preempt.data.LabeledImages;
import ai.preempt.data.Split;
import picocli.CommandLine.Option;

/** Where CIFAR-10 lives and which images to use. */
final class DataOptions {

    @Option(names = "--data", paramLabel = "DIR",
            description = "CIFAR-10 binary folder (data_batch_*.bin, test_batch.bin; commands that read only the test "
                    + "split need only test_batch.bin). Default: $PREEMPT_DATA, else "
                    + "~/.preempt/data/cifar-10-batches-bin (downloaded and verified when missing).")
    String data;

    /** @return the whole split */
    LabeledImages load(Split split) {
        return Cifar10.load(DataDirs.resolveCifar(data, split), split);
    }

    /**
     * @param n images wanted; 0 or more than the split means all
     * @param seed seeds the random subset
     * @return the seeded random subset of the test split
     */
    LabeledImages testSubset(int n, long seed) {
        return testSubset(data, n, seed);
    }

    /**
     * @param split the split to draw from
     * @param n images wanted; 0 or more than the split means all
     * @param seed seeds the random subset
     * @return the seeded random subset of {@code split}
     */
    LabeledImages subset(Split split, int n, long seed) {
        if (n <= 0) {
            throw new IllegalArgumentException("--n must be at least 1, got " + n);
        }
        LabeledImages all = load(split);
        return n >= all.size() ? all : all.subset(n, seed);
    }

    /** As {@link #testSubset(int, long)} for a folder given some other way (null: the default lookup). */
    static LabeledImages testSubset(String dir, int n, long seed) {
        if (n <= 0) {
            throw new IllegalArgumentException("--n must be at least 1, got " + n);
        }
        LabeledImages all = Cifar10.load(DataDirs.resolveCifar(dir, Split.TEST), Split.TEST);
        return n >= all.size() ? all : all.subset(n, seed);
    }
}

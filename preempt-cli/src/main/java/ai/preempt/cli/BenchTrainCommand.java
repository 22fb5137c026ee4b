package ai.preempt.cli;

import ai.preempt.data.LabeledImages;
import ai.preempt.data.Split;
import ai.preempt.io.Progress;
import ai.preempt.train.Method;
import ai.preempt.train.TrainConfig;
import ai.preempt.train.TrainResult;
import ai.preempt.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code preempt bench train}: training images/s per method. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Measure training throughput (images/s) of each method on this machine: one short epoch per "
                + "method on a slice of the training set, written to a temporary folder.")
final class BenchTrainCommand implements Callable<Integer> {

    @Mixin CommonOptions common;
    @Mixin DataOptions dataOptions;

    @Option(names = "--arch", defaultValue = "resnet20", description = "Architecture (default: ${DEFAULT-VALUE}).")
    String arch;

    @Option(names = "--images", defaultValue = "1280", description = "Training images per method (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--batch", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() throws Exception {
        LabeledImages train = dataOptions.load(Split.TRAIN);
        Path tmp = Files.createTempDirectory("preempt-bench-train");
        System.out.printf(Locale.ROOT, "%-22s %12s%n", "method", "images/s");
        String[][] runs = {{"standard", "false"}, {"gaussian", "false"}, {"adv", "true"}, {"adv", "false"},
            {"preempt", "true"}, {"preempt", "false"}};
        for (String[] run : runs) {
            Method m = Method.parse(run[0]);
            boolean fast = Boolean.parseBoolean(run[1]);
            TrainConfig cfg = TrainConfig.builder().setMethod(m).optArch(arch).optEpochs(1).optBatch(batch)
                    .optTrainLimit(images).optFast(fast).build();
            TrainResult r = new Trainer(cfg, tmp.resolve(run[0] + (fast ? "-fast" : "")), Progress.NONE)
                    .train(train, false);
            String label = m.id() + (m == Method.ADV || m == Method.PREEMPT ? (fast ? " (fast)" : " (PGD-10)") : "");
            System.out.printf(Locale.ROOT, "%-22s %12.1f%n", label, r.imagesPerSecond());
        }
        return 0;
    }
}

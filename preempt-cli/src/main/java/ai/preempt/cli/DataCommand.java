package ai.preempt.cli;

import ai.preempt.data.DataDirs;
import ai.preempt.data.DataInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code preempt data …}. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Inspect datasets.",
        subcommands = {DataCommand.Info.class})
final class DataCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code preempt data info}. */
    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "Print the number of images per split and per class of the CIFAR-10 folder.")
    static final class Info implements Callable<Integer> {
        @Mixin DataOptions dataOptions;

        @Override
        public Integer call() {
            System.out.print(DataInfo.describe(DataDirs.resolveCifar(dataOptions.data)));
            return 0;
        }
    }
}

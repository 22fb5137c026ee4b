package ai.preempt.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code preempt bench …}: performance measurements (not tests). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the speed of Preempt's algorithms on this machine.",
        subcommands = {BenchRobustifyCommand.class, BenchAttacksCommand.class, BenchCertifyCommand.class,
            BenchTrainCommand.class, BenchPipelineCommand.class, BenchServeCommand.class, BenchSparkCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

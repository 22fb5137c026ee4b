package ai.preempt.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code preempt bench …}: throughput benchmarks. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Throughput benchmarks.",
        subcommands = {BenchRobustifyCommand.class, BenchCertifyCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

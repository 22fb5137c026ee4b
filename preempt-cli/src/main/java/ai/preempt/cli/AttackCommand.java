package ai.preempt.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code preempt attack …}: evaluate a model under an attack. */
@Command(name = "attack", mixinStandardHelpOptions = true,
        description = "Attack a model on CIFAR-10 test images and report clean and robust accuracy.",
        subcommands = {PgdCommand.class, AutoAttackCommand.class})
final class AttackCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

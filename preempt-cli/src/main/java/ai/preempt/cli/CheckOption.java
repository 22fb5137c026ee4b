package ai.preempt.cli;

import picocli.CommandLine.Option;

/** {@code --no-check}: whether a protecting command attacks original and protected image with PGD-20 afterwards. */
final class CheckOption {

    @Option(names = "--no-check", description = "Skip the PGD-20 check that attacks original and protected image.")
    boolean noCheck;

    /** @return whether to run the check (no --no-check) */
    boolean check() {
        return !noCheck;
    }
}

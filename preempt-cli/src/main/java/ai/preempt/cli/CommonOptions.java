package ai.preempt.cli;

import ai.preempt.engine.PreemptEngine;
import picocli.CommandLine.Option;

/** Options every job command takes: threads, verbosity, progress. */
final class CommonOptions {

    static volatile boolean verbose;
    static volatile boolean quiet;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads for tensor work (default: the cores not busy when it starts, all on an idle "
            + "machine: a thread on a busy core stalls every operation).")
    void threads(int n) {
        PreemptEngine.setThreads(n);
    }

    @Option(names = "--verbose", description = "Print stack traces on errors.")
    void verbose(boolean v) {
        verbose = v;
    }

    @Option(names = "--no-progress", description = "Do not draw progress bars.")
    void noProgress(boolean v) {
        quiet = v;
    }
}

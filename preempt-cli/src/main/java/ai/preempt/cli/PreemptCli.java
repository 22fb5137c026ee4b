package ai.preempt.cli;

import ai.preempt.data.DataException;
import ai.preempt.model.ModelException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code preempt} command. Exit codes: 0 success, 1 the job failed, 2 bad usage or bad input.
 * Errors are one sentence on standard error; {@code --verbose} adds the stack trace.
 */
@Command(name = "preempt", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Preemptive image robustification: move your images, invisibly, to where no "
                + "small perturbation can change a classifier's answer.",
        subcommands = {
            RobustifyCommand.class,
            SparkCommand.class,
            EvalCommand.class,
            AttackCommand.class,
            CertifyCommand.class,
            BenchCommand.class,
            TrainCommand.class,
            ModelsCommand.class,
            DataCommand.class,
            ServeCommand.class,
            CommandLine.HelpCommand.class
        })
public final class PreemptCli implements Runnable {

    /** Exit code of a failed job. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of bad usage or bad input. */
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** @return a command line with Preempt's error handling */
    public static CommandLine commandLine() {
        return commandLine(CommandLine.defaultFactory());
    }

    /**
     * @param factory creates the commands and their option groups (tests substitute, e.g., the model option)
     * @return a command line with Preempt's error handling
     */
    static CommandLine commandLine(CommandLine.IFactory factory) {
        CommandLine cl = new CommandLine(new PreemptCli(), factory);
        cl.setExecutionExceptionHandler(PreemptCli::handle);
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("preempt: " + ex.getMessage());
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return EXIT_USAGE;
        });
        return cl;
    }

    private static int handle(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        Throwable cause = unwrap(ex);
        boolean usage = cause instanceof DataException || cause instanceof ModelException
                || cause instanceof IllegalArgumentException || cause instanceof java.nio.file.NoSuchFileException
                || cause instanceof CommandLine.ParameterException;
        String msg = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (cause instanceof java.nio.file.NoSuchFileException) {
            msg = "no such file: " + msg;
        }
        err.println("preempt: " + firstLine(msg));
        if (CommonOptions.verbose) {
            ex.printStackTrace(err);
        } else if (!usage) {
            err.println("(run again with --verbose for details)");
        }
        err.flush();
        return usage ? EXIT_USAGE : EXIT_FAILURE;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof ai.preempt.engine.PreemptEngine.ComputeException
                || c instanceof java.util.concurrent.ExecutionException
                || c instanceof java.io.UncheckedIOException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Entry point. */
    public static void main(String[] args) {
        int code = commandLine().execute(args);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }
}

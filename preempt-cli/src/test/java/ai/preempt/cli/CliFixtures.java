package ai.preempt.cli;

import ai.preempt.data.TestData;
import ai.preempt.model.Classifier;
import ai.preempt.model.CountingClassifier;
import ai.preempt.model.NativeClassifier;
import ai.preempt.model.TestModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** What the command tests share: running the CLI and capturing it, a tiny CIFAR-10 folder and a tiny model. */
final class CliFixtures {

    private CliFixtures() {}

    /** A model directory and a CIFAR-10 folder, both under {@code dir}. */
    record Tiny(Path model, Path data) {}

    /** @return a tiny ResNet saved under dir/tiny and a 4-images-per-file CIFAR-10 folder under dir/cifar */
    static Tiny tinyModelAndData(Path dir) throws Exception {
        Path data = dir.resolve("cifar");
        TestData.writeTinyCifar(data, 4);
        Path model = dir.resolve("tiny");
        try (NativeClassifier f = TestModels.tinyResNet(0)) {
            f.save(model, f.card());
        }
        return new Tiny(model, data);
    }

    /** Exit code, standard error and standard output (picocli's writer and System.out) of one CLI run. */
    record Run(int code, String err, String out) {}

    /** Runs {@code preempt args...} in this JVM and captures what it prints. */
    static Run run(String... args) {
        return run(CommandLine.defaultFactory(), args);
    }

    /**
     * Runs {@code preempt args...} with every model the command loads wrapped in a {@link CountingClassifier}.
     *
     * @param loaded receives the wrappers, in the order the command loaded them
     */
    static Run runCounting(List<CountingClassifier> loaded, String... args) {
        List<Classifier> inner = new ArrayList<>();
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls != ModelOption.class) {
                    return CommandLine.defaultFactory().create(cls);
                }
                return cls.cast(new ModelOption() {
                    @Override
                    Classifier load() {
                        Classifier f = super.load();
                        inner.add(f);
                        CountingClassifier c = new CountingClassifier(f);
                        loaded.add(c);
                        return c;
                    }
                });
            }
        };
        try {
            return run(factory, args);
        } finally {
            inner.forEach(Classifier::close);
        }
    }

    private static Run run(CommandLine.IFactory factory, String... args) {
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        ByteArrayOutputStream sysOut = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int code;
        try {
            System.setOut(new PrintStream(sysOut, true, StandardCharsets.UTF_8));
            var cl = PreemptCli.commandLine(factory);
            cl.setErr(new PrintWriter(err, true));
            cl.setOut(new PrintWriter(out, true));
            code = cl.execute(args);
        } finally {
            System.setOut(old);
        }
        return new Run(code, err.toString(), out + sysOut.toString(StandardCharsets.UTF_8));
    }
}

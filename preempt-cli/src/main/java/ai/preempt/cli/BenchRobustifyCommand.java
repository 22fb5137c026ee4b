package ai.preempt.cli;

import ai.preempt.bench.RobustifyBenchmark;
import ai.preempt.data.LabeledImages;
import ai.preempt.model.Classifier;
import ai.preempt.report.PassStats;
import ai.preempt.robustify.Robustifier;
import ai.preempt.robustify.RobustifyConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code preempt bench robustify}. */
@Command(name = "robustify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time robustification against its floor and compare the default with --fast.",
            "Prints the model's forward+backward time at the batch size, the wall time per image of each mode, "
                    + "the ratio to T*m*(K+1) passes, passes per image (mean, median, 95th percentile) and the "
                    + "clean and grey-box PGD-20 accuracy of the 8-bit robustified images."})
final class BenchRobustifyCommand implements Callable<Integer> {

    @Mixin RobustifyBenchOptions bench;

    @Option(names = "--images", arity = "1..*", paramLabel = "PATH", description = "Photos (files or folders) "
            + "instead of CIFAR-10, for models of another input size or other classes: each is fitted to the "
            + "model's input and labelled with the model's own prediction; the files are cycled to --n images.")
    List<Path> images;

    @Mixin ImageLimitOptions imageLimits;

    @Option(names = "--batch", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--modes", defaultValue = "default,fast", description = "Comma-separated speeds to compare on the same "
            + "images: default, fast, fastest (default: ${DEFAULT-VALUE}).")
    String modes;

    @Option(names = "--attacks", defaultValue = "pgd", description = "Grey-box attacks on the robustified images, "
            + "comma-separated: pgd (PGD-20), pgd10, aa (AutoAttack standard) or one of its components apgd-ce, apgd-t, "
            + "fab-t, square (default: ${DEFAULT-VALUE}).")
    String attacks;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the figures here.")
    Path json;

    private static String greyBoxText(Map<String, Double> acc) {
        StringBuilder sb = new StringBuilder();
        acc.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k.toUpperCase(Locale.ROOT))
                .append(String.format(Locale.ROOT, " %.1f%%", 100 * v)));
        return sb.toString();
    }

    @Override
    public Integer call() throws Exception {
        RobustifyConfig base = bench.robustifyOptions.config("default");
        try (Classifier f = bench.modelOption.load()) {
            LabeledImages data = images != null ? PhotoSet.load(images, bench.n, f, imageLimits.limits())
                    : bench.images();
            double pass = RobustifyBenchmark.passSeconds(f, data, batch, 9);
            double passPerImage = pass / Math.min(batch, data.size());
            System.out.printf(Locale.ROOT, "model %s: one forward+backward at batch %d takes %.4f s (%.2f ms per image)%n",
                    f.name(), Math.min(batch, data.size()), pass, 1000 * passPerImage);
            Map<String, ai.preempt.attack.Attack> attackMap = new LinkedHashMap<>();
            ai.preempt.attack.NamedAttacks.parse(attacks, bench.robustifyOptions.seed).forEach((k, a) -> attackMap.put(k, a.apply(base.adversary())));
            List<RobustifyBenchmark.ModeResult> results = new ArrayList<>();
            Map<String, RobustifyConfig> configs = new LinkedHashMap<>();
            for (String mode : modes.split(",")) {
                String m = mode.trim().toLowerCase(Locale.ROOT);
                RobustifyConfig cfg = bench.robustifyOptions.config(m);
                configs.put(m, cfg);
                RobustifyBenchmark.ModeResult r = RobustifyBenchmark.run(m, f, Robustifier.of(cfg), data, batch, attackMap);
                results.add(r);
                PassStats p = r.passStats();
                double floor = p.mean() * passPerImage;
                System.out.printf(Locale.ROOT,
                        "%-8s %6.3f s/image; passes/image mean %.0f median %.0f p95 %.0f; ratio to its passes %.3f "
                                + "(T*m*(K+1) = %d); clean %.1f%%, grey-box %s; Lemma 1 %.1f%%; %d of %d exited early%n",
                        m, r.secondsPerImage(), p.mean(), p.median(), p.p95(),
                        r.secondsPerImage() / floor, base.passesPerImage(), 100 * r.clean(), greyBoxText(r.greyBox()),
                        100 * r.lemma1(), r.exited(), r.images());
            }
            RobustifyBenchmark.ModeResult slow = byMode(results, "default");
            for (RobustifyBenchmark.ModeResult r : results) {
                if (slow != null && r != slow) {
                    System.out.printf(Locale.ROOT, "%s vs default: %.1fx fewer passes, %.1fx less wall time, "
                            + "grey-box %s vs %s%n", r.mode(), slow.passStats().mean() / r.passStats().mean(),
                            slow.secondsPerImage() / r.secondsPerImage(), greyBoxText(r.greyBox()),
                            greyBoxText(slow.greyBox()));
                }
            }
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("model", bench.modelOption.model);
            report.put("config", base);
            report.put("mode_configs", configs);
            report.put("pass_seconds", pass);
            report.put("batch", batch);
            report.put("split", bench.splitName());
            report.put("modes", results);
            Reports.writeJson(json, report);
        }
        return 0;
    }

    private static RobustifyBenchmark.ModeResult byMode(List<RobustifyBenchmark.ModeResult> results, String mode) {
        return results.stream().filter(r -> r.mode().equals(mode)).findFirst().orElse(null);
    }
}

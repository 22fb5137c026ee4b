package ai.preempt.cli;

import ai.preempt.model.ModelCard;
import ai.preempt.model.Models;
import ai.preempt.model.NativeClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code preempt models}: the bundled models and their card numbers. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the bundled models (directory: -Dpreempt.models, $PREEMPT_MODELS or ./models) with the "
                + "accuracies their cards record.")
final class ModelsCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print the cards as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Path dir = Models.modelsDir();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no models directory at " + dir + "; set PREEMPT_MODELS");
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(dir)) {
            dirs = s.filter(p -> Files.isRegularFile(p.resolve(NativeClassifier.CARD_FILE))).sorted().toList();
        }
        if (json) {
            java.util.Map<String, ModelCard> all = new java.util.LinkedHashMap<>();
            for (Path p : dirs) {
                all.put(p.getFileName().toString(), ModelCard.read(p.resolve(NativeClassifier.CARD_FILE)));
            }
            System.out.println(ModelCard.JSON.writeValueAsString(all));
            return 0;
        }
        System.out.printf(Locale.ROOT, "%-18s %-11s %9s  %-7s %-7s %-11s %-9s  %s%n", "name", "arch", "params", "clean",
                "linf", "l2", "method", "description");
        for (Path p : dirs) {
            ModelCard c = ModelCard.read(p.resolve(NativeClassifier.CARD_FILE));
            Map<String, Object> m = c.metrics() == null ? Map.of() : c.metrics();
            Object method = c.training() == null ? "" : c.training().getOrDefault("method", "");
            System.out.printf(Locale.ROOT, "%-18s %-11s %9s  %-7s %-7s %-11s %-9s  %s%n", p.getFileName(),
                    c.architecture(), c.parameters(), pct(m.get("clean_accuracy")), pct(m.get("pgd20_linf_8_255")),
                    pct(m.get("pgd20_l2_0.5")), method, c.description() == null ? "" : c.description());
        }
        System.out.println("(clean and PGD-20 accuracy on the card's seeded test subset; linf 8/255, l2 0.5)");
        return 0;
    }

    private static String pct(Object v) {
        return v instanceof Number n ? String.format(Locale.ROOT, "%.1f%%", 100 * n.doubleValue()) : "-";
    }
}

package ai.preempt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.model.CountingClassifier;
import ai.preempt.model.ModelCard;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCommandTest {

    /** Runs {@code preempt eval} on a tiny model and 3 images; returns the JSON report and the printed table. */
    private static JsonNode eval(Path dir, StringBuilder table, String... extra) throws Exception {
        return eval(dir, table, null, extra);
    }

    /** As {@link #eval(Path, StringBuilder, String...)}; with {@code loaded}, counts the model's real passes. */
    private static JsonNode eval(Path dir, StringBuilder table, List<CountingClassifier> loaded, String... extra)
            throws Exception {
        CliFixtures.Tiny tiny = CliFixtures.tinyModelAndData(dir);
        Path data = tiny.data();
        Path model = tiny.model();
        Path json = dir.resolve("table.json");
        String[] base = {"eval", "--model", model.toString(), "--data", data.toString(), "--n", "3", "--steps", "2",
                "--inner-steps", "2", "--attacks", "pgd", "--json", json.toString(), "--no-progress"};
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(extra))
                .toArray(String[]::new);
        CliFixtures.Run r = loaded == null ? CliFixtures.run(args) : CliFixtures.runCounting(loaded, args);
        assertThat(r.code()).isZero();
        table.append(r.out());
        return ModelCard.JSON.readTree(json.toFile());
    }

    @Test
    void evalPrintsBothRowsWithGreyAndWhiteBoxColumnsAndPerImageJson(@TempDir Path dir) throws Exception {
        StringBuilder table = new StringBuilder();
        JsonNode report = eval(dir, table);
        assertThat(report.get("rows")).hasSize(2);
        JsonNode ours = report.get("rows").get(1);
        assertThat(ours.get("preemption").asText()).isEqualTo("Ours");
        assertThat(ours.get("white_box").get("pgd").isNumber()).isTrue();
        assertThat(report.get("images")).hasSize(6);
        assertThat(table.toString()).contains("| None |").contains("| Ours |");
        // T·(K+1) = 2·3 passes per image in the default mode, none for the originals
        assertThat(ours.get("passes").get("mean").asDouble()).isEqualTo(6.0);
        assertThat(ours.get("passes").get("p95").asDouble()).isEqualTo(6.0);
        assertThat(report.get("rows").get(0).get("passes").get("mean").asDouble()).isZero();
        for (JsonNode image : report.get("images")) {
            assertThat(image.get("passes").asLong()).isEqualTo(image.get("preemption").asText().equals("Ours") ? 6 : 0);
        }
        assertThat(table.toString()).contains("passes per image mean 6, median 6, p95 6");
    }

    /**
     * The passes the report gives are the model's real passes: with the Ours row alone and no white box, the
     * model sees robustification's reported passes plus, per image, the prediction that picks the label to
     * protect, Lemma 1's robust loss of the written image (K + 1 = 3), the prediction of x_s, PGD-20's 20 steps
     * and its verdict.
     */
    @Test
    void reportedPassesAreTheModelsRealPasses(@TempDir Path dir) throws Exception {
        List<CountingClassifier> loaded = new ArrayList<>();
        JsonNode report = eval(dir, new StringBuilder(), loaded, "--preempt", "ours", "--no-white-box");
        long reported = 0;
        for (JsonNode image : report.get("images")) {
            reported += image.get("passes").asLong();
        }
        assertThat(reported).isEqualTo(3 * 6);
        assertThat(loaded).hasSize(1);
        assertThat(loaded.get(0).images()).isEqualTo(reported + 3 * (1 + 3 + 1 + 20 + 1));
    }

    @Test
    void noWhiteBoxSkipsTheAdaptiveAttackAndSaysSoInTheTable(@TempDir Path dir) throws Exception {
        StringBuilder table = new StringBuilder();
        JsonNode report = eval(dir, table, "--no-white-box");
        JsonNode ours = report.get("rows").get(1);
        assertThat(ours.get("grey_box").get("pgd").isNumber()).isTrue();
        // NaN is written as a string or null by Jackson, never as a measured number
        assertThat(ours.get("white_box").get("pgd").isNumber()).isFalse();
        assertThat(report.get("config").get("white_box").asBoolean()).isFalse();
        assertThat(table.toString().lines().filter(l -> l.startsWith("| ") && l.contains("Ours")).findFirst().orElseThrow())
                .contains("–");
    }

    @Test
    void smoothedEvalUsesThePapersRawStepUnlessAStepIsGivenAndNeedsL2(@TempDir Path dir) throws Exception {
        StringBuilder table = new StringBuilder();
        JsonNode paper = eval(dir, table, "--smoothed", "--sigma", "0.25", "--norm", "l2");
        JsonNode cfg = paper.get("config");
        assertThat(cfg.get("smoothed_sigma").asDouble()).isEqualTo(0.25);
        assertThat(cfg.get("robustify").get("l2_step").asText()).isEqualToIgnoringCase("raw");
        assertThat(cfg.get("robustify").get("lr").asDouble()).isEqualTo(0.005);
        JsonNode ours = paper.get("rows").get(1);
        assertThat(ours.get("grey_box").get("pgd").isNumber()).isTrue();
        assertThat(ours.get("white_box").get("pgd").isNumber()).isTrue();
        assertThat(table.toString()).contains("| Ours |");

        JsonNode raw = eval(dir, new StringBuilder(), "--smoothed", "--sigma", "0.25", "--norm", "l2",
                "--l2-step", "raw", "--no-white-box");
        assertThat(raw.get("config").get("robustify").get("lr").asDouble()).isEqualTo(0.005);
        JsonNode normalized = eval(dir, new StringBuilder(), "--smoothed", "--sigma", "0.25", "--norm", "l2",
                "--l2-step", "normalized", "--no-white-box");
        assertThat(normalized.get("config").get("robustify").get("l2_step").asText()).isEqualToIgnoringCase("normalized");
        assertThat(normalized.get("config").get("robustify").get("lr").asDouble())
                .isEqualTo(ai.preempt.smoothing.SmoothedRobustifier.defaultLr(ai.preempt.robustify.L2Step.NORMALIZED));

        CliFixtures.Run linf = CliFixtures.run("eval", "--smoothed", "--model", dir.resolve("tiny").toString(),
                "--data", dir.resolve("cifar").toString(), "--n", "3", "--no-progress");
        assertThat(linf.code()).isEqualTo(PreemptCli.EXIT_USAGE);
        assertThat(linf.err()).contains("--smoothed needs --norm l2");
    }

    @Test
    void evalWithStateResumesFromTheSavedBatchesAndRejectsAnotherRunsState(@TempDir Path dir) throws Exception {
        Path state = dir.resolve("state.json");
        JsonNode full = eval(dir, new StringBuilder(), "--no-white-box", "--batch", "1", "--state", state.toString());
        JsonNode saved = ModelCard.JSON.readTree(state.toFile());
        assertThat(saved.get("batches")).hasSize(6); // 3 batches × (None, Ours)

        // an interrupted run: the last batch is missing and a stored one carries a marker the run cannot compute
        com.fasterxml.jackson.databind.node.ObjectNode edited = saved.deepCopy();
        com.fasterxml.jackson.databind.node.ArrayNode batches = (com.fasterxml.jackson.databind.node.ArrayNode) edited
                .get("batches");
        batches.remove(batches.size() - 1);
        com.fasterxml.jackson.databind.node.ObjectNode first = (com.fasterxml.jackson.databind.node.ObjectNode) batches
                .get(0).get("images").get(0);
        long marker = (first.get("prediction").asLong() + 1) % 10;
        first.put("prediction", marker);
        ModelCard.JSON.writeValue(state.toFile(), edited);
        JsonNode resumed = eval(dir, new StringBuilder(), "--no-white-box", "--batch", "1", "--state",
                state.toString());
        assertThat(resumed.get("images").get(0).get("prediction").asLong()).isEqualTo(marker);
        assertThat(resumed.get("images")).hasSize(6);
        // the recomputed last batch equals the first run's
        assertThat(resumed.get("images").get(5)).isEqualTo(full.get("images").get(5));
        assertThat(ModelCard.JSON.readTree(state.toFile()).get("batches")).hasSize(6);

        CliFixtures.Run other = CliFixtures.run("eval", "--model", dir.resolve("tiny").toString(), "--data",
                dir.resolve("cifar").toString(), "--n", "3", "--steps", "3", "--inner-steps", "2", "--batch", "1",
                "--no-white-box", "--state", state.toString(), "--no-progress");
        assertThat(other.code()).isEqualTo(PreemptCli.EXIT_USAGE);
        assertThat(other.err()).contains("belongs to another run");
    }
}

package ai.preempt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.model.ModelCard;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCommandTest {

    /** Runs {@code preempt eval} on a tiny model and 3 images; returns the JSON report and the printed table. */
    private static JsonNode eval(Path dir, StringBuilder table, String... extra) throws Exception {
        CliFixtures.Tiny tiny = CliFixtures.tinyModelAndData(dir);
        Path data = tiny.data();
        Path model = tiny.model();
        Path json = dir.resolve("table.json");
        String[] base = {"eval", "--model", model.toString(), "--data", data.toString(), "--n", "3", "--steps", "2",
                "--inner-steps", "2", "--attacks", "pgd", "--json", json.toString(), "--no-progress"};
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(extra))
                .toArray(String[]::new);
        CliFixtures.Run r = CliFixtures.run(args);
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
}

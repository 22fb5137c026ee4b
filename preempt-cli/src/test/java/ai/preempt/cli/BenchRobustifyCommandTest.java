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

class BenchRobustifyCommandTest {

    /**
     * The passes the bench reports are the model's real passes: two runs that differ only in T differ in the
     * images the model really sees by exactly the difference of their reported passes (the timing passes, the
     * label predictions and the attack cost the same in both).
     */
    @Test
    void reportedPassesAreTheModelsRealPasses(@TempDir Path dir) throws Exception {
        CliFixtures.Tiny tiny = CliFixtures.tinyModelAndData(dir);
        long[] reported = new long[2];
        long[] seen = new long[2];
        int[] steps = {3, 6};
        for (int k = 0; k < 2; k++) {
            Path json = dir.resolve("bench" + k + ".json");
            List<CountingClassifier> loaded = new ArrayList<>();
            int code = CliFixtures.runCounting(loaded, "bench", "robustify", "--model", tiny.model().toString(),
                    "--data", tiny.data().toString(), "--n", "3", "--batch", "3", "--steps",
                    Integer.toString(steps[k]), "--inner-steps", "2", "--modes", "default", "--attacks", "pgd",
                    "--json", json.toString(), "--no-progress").code();
            assertThat(code).isZero();
            for (JsonNode p : ModelCard.JSON.readTree(json.toFile()).get("modes").get(0).get("passes")) {
                reported[k] += p.asLong();
            }
            seen[k] = loaded.get(0).images();
        }
        assertThat(reported[1] - reported[0]).isEqualTo(3 * 3 * 3);
        assertThat(seen[1] - seen[0]).isEqualTo(reported[1] - reported[0]);
    }

    @Test
    void benchComparesBothModesOnTheSameImagesWithPerImagePassesAndEveryAttack(@TempDir Path dir) throws Exception {
        CliFixtures.Tiny tiny = CliFixtures.tinyModelAndData(dir);
        Path data = tiny.data();
        Path model = tiny.model();
        Path json = dir.resolve("bench.json");
        int code = CliFixtures.run("bench", "robustify", "--model", model.toString(), "--data", data.toString(), "--n", "3",
                "--batch", "3", "--steps", "6", "--inner-steps", "2", "--attacks", "pgd,pgd10", "--json",
                json.toString(), "--no-progress").code();
        assertThat(code).isZero();
        JsonNode report = ModelCard.JSON.readTree(json.toFile());
        JsonNode modes = report.get("modes");
        assertThat(modes).hasSize(2);
        for (JsonNode m : modes) {
            assertThat(m.get("passes")).hasSize(3);
            assertThat(m.get("outer_steps")).hasSize(3);
            assertThat(m.get("grey_box").has("pgd")).isTrue();
            assertThat(m.get("grey_box").has("pgd10")).isTrue();
        }
        // the default runs every outer step: T·(K+1) passes per image
        for (JsonNode p : modes.get(0).get("passes")) {
            assertThat(p.asLong()).isEqualTo(6 * 3);
        }
        JsonNode stats = modes.get(0).get("pass_stats");
        assertThat(stats.get("mean").asDouble()).isEqualTo(18.0);
        assertThat(stats.get("median").asDouble()).isEqualTo(18.0);
        assertThat(stats.get("p95").asDouble()).isEqualTo(18.0);
        for (JsonNode s : modes.get(0).get("outer_steps")) {
            assertThat(s.asInt()).isEqualTo(6);
        }
    }

    @Test
    void benchComparesAllThreeSpeedsOnTrainingImagesAndRejectsAnUnknownOne(@TempDir Path dir) throws Exception {
        CliFixtures.Tiny tiny = CliFixtures.tinyModelAndData(dir);
        Path json = dir.resolve("bench.json");
        int code = CliFixtures.run("bench", "robustify", "--model", tiny.model().toString(), "--data",
                tiny.data().toString(), "--split", "train", "--n", "3", "--batch", "3", "--steps", "4",
                "--inner-steps", "2", "--modes", "default,fast,fastest", "--json", json.toString(), "--no-progress")
                .code();
        assertThat(code).isZero();
        JsonNode report = ModelCard.JSON.readTree(json.toFile());
        assertThat(report.get("split").asText()).isEqualTo("train");
        JsonNode modes = report.get("modes");
        assertThat(modes).hasSize(3);
        assertThat(modes.get(2).get("mode").asText()).isEqualTo("fastest");
        assertThat(report.get("mode_configs").get("fastest").get("fastest").get("warm_steps").asInt())
                .isEqualTo(ai.preempt.robustify.FastestMode.DEFAULT.warmSteps());
        assertThat(report.get("mode_configs").get("fast").get("fastest").isNull()).isTrue();
        for (JsonNode m : modes) {
            assertThat(m.get("robust").get("pgd")).hasSize(3);
        }
        assertThat(CliFixtures.run("bench", "robustify", "--model", tiny.model().toString(), "--data",
                tiny.data().toString(), "--n", "3", "--modes", "default,quickest", "--no-progress").code()).isEqualTo(2);
        assertThat(CliFixtures.run("bench", "robustify", "--model", tiny.model().toString(), "--data",
                tiny.data().toString(), "--n", "3", "--split", "validation", "--no-progress").code()).isEqualTo(2);
    }
}

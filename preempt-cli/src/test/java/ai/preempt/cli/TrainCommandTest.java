package ai.preempt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.data.TestData;
import ai.preempt.model.ModelCard;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {

    @Test
    void algorithm2CardFiguresAreThoseOfPreemptEvalOnTheSameImages(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("cifar");
        TestData.writeTinyCifar(data, 4);
        Path model = dir.resolve("m");
        CliFixtures.Run train = CliFixtures.run("train", "--method", "preempt", "--arch", "resnet8w2", "--epochs", "1",
                "--batch", "8", "--validation", "4", "--robust-steps", "1", "--attack-steps", "1", "--eval-n", "4",
                "--eval-steps", "3", "--eval-inner-steps", "2", "--data", data.toString(), "--out", model.toString(),
                "--no-progress");
        assertThat(train.code()).as(train.err()).isZero();
        Path json = dir.resolve("eval.json");
        CliFixtures.Run eval = CliFixtures.run("eval", "--model", model.toString(), "--data", data.toString(), "--n", "4",
                "--fast", "--steps", "3", "--inner-steps", "2", "--no-white-box", "--attacks", "pgd", "--json", json.toString(), "--no-progress");
        assertThat(eval.code()).as(eval.err()).isZero();

        JsonNode card = ModelCard.JSON.readTree(model.resolve("card.json").toFile()).get("metrics").get("preempt_eval");
        JsonNode report = ModelCard.JSON.readTree(json.toFile());
        assertThat(card.get("n").asInt()).isEqualTo(4);
        for (JsonNode row : report.get("rows")) {
            JsonNode c = card.get(row.get("preemption").asText().toLowerCase(java.util.Locale.ROOT));
            assertThat(c.get("clean_accuracy").asDouble()).isEqualTo(row.get("clean").asDouble());
            assertThat(c.get("greybox_pgd20_accuracy").asDouble()).isEqualTo(row.get("grey_box").get("pgd").asDouble());
        }
        JsonNode ours = card.get("ours");
        assertThat(ours.get("lemma1").asDouble()).isEqualTo(report.get("rows").get(1).get("lemma1").asDouble());
        double meanLoss = 0;
        int n = 0;
        for (JsonNode image : report.get("images")) {
            if (image.get("preemption").asText().equals("Ours")) {
                meanLoss += image.get("robust_loss").asDouble();
                n++;
            }
        }
        // the per-image robust losses depend on every setting (seeds, batches, 8-bit rounding, fast mode)
        assertThat(ours.get("mean_robust_loss").asDouble()).isCloseTo(meanLoss / n, Offset.offset(1e-6));
    }
}

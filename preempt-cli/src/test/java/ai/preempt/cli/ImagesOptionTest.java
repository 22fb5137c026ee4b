package ai.preempt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.data.TestData;
import ai.preempt.model.ModelCard;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesOptionTest {

    /** A class-per-folder tree of photos of any size is attacked like the test split, labels from folder names. */
    @Test
    void attackRunsOnAClassPerFolderTreeOfImagesOfAnySize(@TempDir Path dir) throws Exception {
        CliFixtures.Tiny tiny = CliFixtures.tinyModelAndData(dir);
        Path images = dir.resolve("mine");
        TestData.writePatternPng(images.resolve("cat").resolve("1.png"), 48, 64, 0.1f);
        TestData.writePatternPng(images.resolve("cat").resolve("2.jpg.png"), 20, 20, 0.4f);
        TestData.writePatternPng(images.resolve("ship").resolve("3.png"), 90, 33, 0.7f);
        Path json = dir.resolve("r.json");
        CliFixtures.Run r = CliFixtures.run("attack", "pgd", "--model", tiny.model().toString(), "--images",
                images.toString(), "--steps", "2", "--json", json.toString(), "--no-progress");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode report = ModelCard.JSON.readTree(json.toFile());
        assertThat(report.get("config").get("images").asText()).isEqualTo(images.toString());
        JsonNode per = report.get("images");
        assertThat(per).hasSize(3);
        int cat = ModelCard.CIFAR_CLASSES.indexOf("cat");
        int ship = ModelCard.CIFAR_CLASSES.indexOf("ship");
        assertThat(per.findValuesAsText("label")).containsExactlyInAnyOrder(
                Integer.toString(cat), Integer.toString(cat), Integer.toString(ship));
        CliFixtures.Run both = CliFixtures.run("attack", "pgd", "--model", tiny.model().toString(), "--images",
                images.toString(), "--data", tiny.data().toString(), "--no-progress");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("either --images or --data");
    }

    /** Commands that read only the test split work offline from a folder holding nothing but test_batch.bin. */
    @Test
    void aCifarFolderWithOnlyTheTestBatchIsEnoughForAnAttack(@TempDir Path dir) throws Exception {
        CliFixtures.Tiny tiny = CliFixtures.tinyModelAndData(dir);
        Path onlyTest = Files.createDirectories(dir.resolve("only-test"));
        Files.createSymbolicLink(onlyTest.resolve("test_batch.bin"), tiny.data().resolve("test_batch.bin"));
        CliFixtures.Run r = CliFixtures.run("attack", "pgd", "--model", tiny.model().toString(), "--data",
                onlyTest.toString(), "--n", "2", "--steps", "1", "--no-progress");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("robust accuracy");
    }
}

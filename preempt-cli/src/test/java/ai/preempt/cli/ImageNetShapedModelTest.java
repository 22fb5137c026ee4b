package ai.preempt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.data.Image;
import ai.preempt.data.ImageIo;
import ai.preempt.model.ModelCard;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 224-px, 1000-class TorchScript model (ImageNet-shaped; built by {@code tools/make_imagenet_fixtures.py
 * tiny224}, seeded random weights, flattening so it takes exactly 3×224×224) runs through {@code robustify}
 * on the sample photos, with the PGD check, and through {@code bench robustify --images}.
 */
class ImageNetShapedModelTest {

    static final Path MODEL = Paths.get("src/test/resources/imagenet/tiny224.pt").toAbsolutePath();
    static final Path SAMPLES = Paths.get("../samples").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void photosRunThroughATwoTwentyFourPixelThousandClassModel() throws Exception {
        Path out = tmp.resolve("out");
        CliFixtures.Run r = CliFixtures.run("robustify", "--model", MODEL.toString(), "--steps", "2", "--inner-steps",
                "2", "--no-progress", "--out", out.toString(), SAMPLES.resolve("astronaut.png").toString(),
                SAMPLES.resolve("rocket.jpg").toString());
        assertThat(r.code()).as(r.err()).isZero();

        JsonNode side = ModelCard.JSON.readTree(MODEL.resolveSibling("tiny224.json").toFile());
        List<String> classes = new ArrayList<>();
        side.get("classes").forEach(c -> classes.add(c.asText()));
        assertThat(classes).hasSize(1000);
        JsonNode report = ModelCard.JSON.readTree(out.resolve("report.json").toFile());
        double delta = report.get("config").get("delta").asDouble();
        assertThat(report.get("verdicts")).hasSize(2);
        for (JsonNode v : report.get("verdicts")) {
            assertThat(classes).contains(v.get("class_before").asText(), v.get("class_after").asText());
            assertThat(v.get("linf_distance").asDouble()).isLessThanOrEqualTo(delta + 1e-6);
            assertThat(v.get("attacked_protected").asLong()).isBetween(0L, 999L);
            Image protectedImage = ImageIo.read(out.resolve(v.get("name").asText() + ".png"));
            assertThat(protectedImage.height()).isGreaterThanOrEqualTo(224);
            assertThat(protectedImage.width()).isGreaterThanOrEqualTo(224);
        }
    }

    @Test
    void benchRobustifyTakesPhotosCycledToNForAThousandClassModel() throws Exception {
        Path json = tmp.resolve("bench.json");
        CliFixtures.Run r = CliFixtures.run("bench", "robustify", "--model", MODEL.toString(), "--images",
                SAMPLES.resolve("astronaut.png").toString(), SAMPLES.resolve("rocket.jpg").toString(), "--n", "3",
                "--batch", "3", "--modes", "default", "--steps", "1", "--inner-steps", "1", "--no-progress", "--json",
                json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode mode = ModelCard.JSON.readTree(json.toFile()).get("modes").get(0);
        assertThat(mode.get("images").asInt()).isEqualTo(3);
        assertThat(mode.get("passes")).hasSize(3).allSatisfy(p -> assertThat(p.asLong()).isEqualTo(2));
    }
}

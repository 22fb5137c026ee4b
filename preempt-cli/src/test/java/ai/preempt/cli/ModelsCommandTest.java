package ai.preempt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.model.ModelCard;
import ai.preempt.model.Models;
import ai.preempt.model.NativeClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelsCommandTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(Models.MODELS_PROPERTY);
    }

    /** A card's description is what a user reads; its notes (the model's history) stay in the card file. */
    @Test
    void modelsPrintsTheDescriptionAndKeepsTheNotesInTheCard(@TempDir Path dir) throws Exception {
        ModelCard card = new ModelCard("demo", "resnet20", 10L, ModelCard.CIFAR_MEAN, ModelCard.CIFAR_STD,
                List.of(3, 32, 32), ModelCard.CIFAR_CLASSES, "Trained for the demo; use it to demo.", null,
                Map.of("clean_accuracy", 0.5), null, "Target 60% missed by 10 pp.");
        Path file = Files.createDirectories(dir.resolve("demo")).resolve(NativeClassifier.CARD_FILE);
        card.write(file);
        assertThat(ModelCard.read(file)).isEqualTo(card);
        assertThat(ModelCard.read(file).withMetric("x", 1).notes()).isEqualTo(card.notes());
        System.setProperty(Models.MODELS_PROPERTY, dir.toString());
        CliFixtures.Run r = CliFixtures.run("models");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Trained for the demo; use it to demo.").contains("50.0%")
                .doesNotContain("missed");
    }
}

package ai.preempt.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabeledFolderTest {

    private static final List<String> CLASSES = List.of("airplane", "bird", "cat", "dog");

    /** A solid h×w image whose red channel is {@code red}. */
    private static void png(Path file, int h, int w, float red) throws Exception {
        float[] chw = new float[3 * h * w];
        java.util.Arrays.fill(chw, 0, h * w, red);
        Files.createDirectories(file.getParent());
        ImageIo.writePng(file, new Image(3, h, w, chw));
    }

    /**
     * Labels come from the folder names' positions in the model's classes (not from the folders' order), files
     * of any size come out at the model's input size on the 8-bit grid, class folders in name order.
     */
    @Test
    void classFoldersGiveTheModelsLabelsAndImagesOfItsInputSize(@TempDir Path dir) throws Exception {
        png(dir.resolve("dog").resolve("a.png"), 40, 60, 1f);
        png(dir.resolve("dog").resolve("b.png"), 8, 8, 0.2f);
        png(dir.resolve("bird").resolve("c.png"), 100, 30, 0.6f);
        Files.writeString(dir.resolve("dog").resolve("notes.txt"), "not an image");
        LabeledImages data = LabeledFolder.load(dir, CLASSES, 3, 16, 16);
        assertThat(data.size()).isEqualTo(3);
        assertThat(data.imageShape()).containsExactly(3, 16, 16);
        assertThat(data.classes()).isEqualTo(CLASSES);
        // bird/ sorts before dog/
        assertThat(new int[] {data.label(0), data.label(1), data.label(2)}).containsExactly(1, 3, 3);
        assertThat(data.image(0).get(0, 8, 8)).isEqualTo(Math.round(0.6f * 255) / 255f);
        assertThat(data.image(1).get(0, 0, 0)).isEqualTo(1f);
        assertThat(data.image(2).get(1, 3, 3)).isEqualTo(0f);
    }

    @Test
    void aFolderNamingNoClassOrHoldingNoImagesIsAClearError(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> LabeledFolder.load(dir.resolve("missing"), CLASSES, 3, 8, 8))
                .isInstanceOf(DataException.class).hasMessageContaining("not a folder");
        Files.createDirectories(dir.resolve("empty").resolve("cat"));
        assertThatThrownBy(() -> LabeledFolder.load(dir.resolve("empty"), CLASSES, 3, 8, 8))
                .isInstanceOf(DataException.class).hasMessageContaining("no image files");
        png(dir.resolve("wrong").resolve("horse").resolve("h.png"), 8, 8, 0.5f);
        assertThatThrownBy(() -> LabeledFolder.load(dir.resolve("wrong"), CLASSES, 3, 8, 8))
                .isInstanceOf(DataException.class).hasMessageContaining("'horse'").hasMessageContaining("cat");
    }
}

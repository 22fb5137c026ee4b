package ai.preempt.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {

    @TempDir
    Path tmp;

    private Path touch(String name) throws IOException {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        return Files.write(p, new byte[] {1});
    }

    @Test
    void filesAndFoldersAreListedInArgumentOrderWithFolderContentsSortedAndFiltered() throws IOException {
        Path single = touch("z.JPEG");
        touch("dir/b.png");
        touch("dir/a.Jpg");
        touch("dir/c.bmp");
        touch("dir/notes.txt");
        touch("dir/.hidden.png");
        touch("dir/sub/deep.png");
        Path dir = tmp.resolve("dir");
        assertThat(ImageFolder.list(single, dir, dir.resolve("b.png"))).containsExactly(single,
                dir.resolve("a.Jpg"), dir.resolve("b.png"), dir.resolve("c.bmp"));
    }

    @Test
    void missingPathNonImageFileAndEmptyResultAreRejected() throws IOException {
        assertThatThrownBy(() -> ImageFolder.list(tmp.resolve("ghost.png")))
                .isInstanceOf(DataException.class).hasMessageContaining("ghost.png does not exist");
        Path txt = touch("a.txt");
        assertThatThrownBy(() -> ImageFolder.list(txt)).isInstanceOf(DataException.class)
                .hasMessageContaining("a.txt is not an image file");
        assertThatThrownBy(() -> ImageFolder.list(List.of(Files.createDirectory(tmp.resolve("empty")))))
                .isInstanceOf(DataException.class).hasMessageContaining("no .png");
    }
}

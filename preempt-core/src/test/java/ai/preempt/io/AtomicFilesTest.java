package ai.preempt.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path tmp;

    @Test
    void aFullDiskMidWriteLeavesTheOldFileIntactAndNoTemporaryFile() throws IOException {
        Path target = tmp.resolve("model.params");
        Files.writeString(target, "old complete content");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            out.write(new byte[1000]);
            throw new IOException("No space left on device");
        })).hasMessageContaining("No space left");
        assertThat(Files.readString(target)).isEqualTo("old complete content");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.toList()).containsExactly(target);
        }
    }

    @Test
    void aWriterThatClosesItsStreamStillProducesTheFile() throws IOException {
        Path target = tmp.resolve("a.json");
        AtomicFiles.write(target, out -> {
            out.write("{}".getBytes());
            out.close();
        });
        assertThat(Files.readString(target)).isEqualTo("{}");
    }

    @Test
    void aNewFileIsReadableByOthersAndAReplacedOneKeepsItsMode() throws IOException {
        Path fresh = tmp.resolve("report.json");
        AtomicFiles.writeString(fresh, "{}");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)))
                .isEqualTo("rw-r--r--");
        Path kept = tmp.resolve("private.json");
        Files.writeString(kept, "old");
        Files.setPosixFilePermissions(kept, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        AtomicFiles.writeString(kept, "new");
        assertThat(Files.readString(kept)).isEqualTo("new");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(kept)))
                .isEqualTo("rw-------");
    }
}

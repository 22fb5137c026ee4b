package ai.preempt.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirsTest {

    /** A CIFAR-10 folder with only test_batch.bin serves the test split without any download. */
    @Test
    void aFolderWithOnlyTheTestBatchServesTheTestSplitWithoutDownloading(@TempDir Path dir) throws Exception {
        Path full = dir.resolve("full");
        TestData.writeTinyCifar(full, 3);
        Path onlyTest = dir.resolve("only-test");
        Files.createDirectories(onlyTest);
        Files.copy(full.resolve("test_batch.bin"), onlyTest.resolve("test_batch.bin"));
        CifarDownloader offline = new CifarDownloader(java.net.URI.create("http://127.0.0.1:9/cifar.tar.gz"),
                "00000000000000000000000000000000", java.time.Duration.ofSeconds(1));
        Path home = dir.resolve("home");
        assertThat(DataDirs.resolveCifar(onlyTest.toString(), null, home, offline, Split.TEST)).isEqualTo(onlyTest);
        assertThat(Cifar10.load(onlyTest, Split.TEST).size()).isEqualTo(3);
        assertThatThrownBy(() -> DataDirs.resolveCifar(onlyTest.toString(), null, home, offline, Split.TRAIN))
                .isInstanceOf(DataException.class).hasMessageContaining("could not download");
    }
}

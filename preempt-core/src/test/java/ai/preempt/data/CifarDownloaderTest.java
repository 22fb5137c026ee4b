package ai.preempt.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarDownloaderTest {

    @TempDir
    Path tmp;
    Path archive;
    String md5;
    Path home;

    /** Builds a tiny cifar-10-binary.tar.gz laid out like the official one. */
    @BeforeEach
    void makeArchive() throws Exception {
        Path src = tmp.resolve("src").resolve(DataDirs.CIFAR_FOLDER);
        TestData.writeTinyCifar(src, 2);
        archive = tmp.resolve("src").resolve("cifar-10-binary.tar.gz");
        try (OutputStream raw = Files.newOutputStream(archive);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(raw))) {
            TarArchiveEntry dirEntry = new TarArchiveEntry(DataDirs.CIFAR_FOLDER + "/");
            tar.putArchiveEntry(dirEntry);
            tar.closeArchiveEntry();
            try (Stream<Path> files = Files.list(src)) {
                for (Path f : files.sorted().toList()) {
                    tar.putArchiveEntry(tar.createArchiveEntry(f, DataDirs.CIFAR_FOLDER + "/" + f.getFileName()));
                    Files.copy(f, tar);
                    tar.closeArchiveEntry();
                }
            }
        }
        md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(Files.readAllBytes(archive)));
        home = tmp.resolve("home");
        Files.createDirectories(home);
    }

    private CifarDownloader downloader(String expectedMd5) {
        return new CifarDownloader(archive.toUri(), expectedMd5, Duration.ofSeconds(2));
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void archiveWithRightChecksumIsExtractedIntoTheDefaultFolderWithNoLeftovers() throws IOException {
        Path dir = DataDirs.resolveCifar(null, null, home, downloader(md5));
        assertThat(dir).isEqualTo(home.resolve(".preempt/data/cifar-10-batches-bin"));
        assertThat(Cifar10.isComplete(dir)).isTrue();
        assertThat(Cifar10.load(dir, Split.TRAIN).size()).isEqualTo(10);
        try (Stream<Path> s = Files.list(dir.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("cifar-10-batches-bin");
        }
    }

    @Test
    void archiveWithWrongChecksumIsRejectedAndLeavesNothingBehind() throws IOException {
        Path target = tmp.resolve("dl").resolve(DataDirs.CIFAR_FOLDER);
        Files.createDirectories(target.getParent());
        String wrong = "0".repeat(32);
        assertThatThrownBy(() -> downloader(wrong).downloadInto(target))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("MD5 " + md5)
                .hasMessageContaining("--data DIR")
                .hasMessageContaining("PREEMPT_DATA");
        assertThat(listing(tmp.resolve("dl"))).containsExactly("");
    }

    @Test
    void existingIncompleteFolderIsCompletedInPlace() throws IOException {
        Path target = tmp.resolve("partial");
        Files.createDirectories(target);
        Files.write(target.resolve("test_batch.bin"), new byte[5]);
        Path dir = DataDirs.resolveCifar(target.toString(), "ignored", home, downloader(md5));
        assertThat(dir).isEqualTo(target.toAbsolutePath());
        assertThat(Cifar10.load(dir, Split.TEST).size()).isEqualTo(2);
    }

    @Test
    void unreachableServerFailsFastNamingTheDataFlagAndEnvironmentVariable() {
        CifarDownloader offline = new CifarDownloader(URI.create("http://127.0.0.1:9/cifar.tar.gz"), md5,
                Duration.ofSeconds(2));
        long start = System.nanoTime();
        assertThatThrownBy(() -> offline.downloadInto(tmp.resolve("x").resolve("cifar")))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("could not download CIFAR-10")
                .hasMessageContaining("--data DIR")
                .hasMessageContaining("PREEMPT_DATA");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(tmp.resolve("x")).as("folders created for the download are removed").doesNotExist();
    }

    @Test
    void flagWinsOverEnvironmentAndAParentOfTheBatchFolderIsAccepted() throws IOException {
        Path parent = tmp.resolve("flag");
        TestData.writeTinyCifar(parent.resolve(DataDirs.CIFAR_FOLDER), 1);
        Path env = tmp.resolve("env");
        TestData.writeTinyCifar(env, 1);
        CifarDownloader never = downloader("never used");
        assertThat(DataDirs.resolveCifar(parent.toString(), env.toString(), home, never))
                .isEqualTo(parent.resolve(DataDirs.CIFAR_FOLDER));
        assertThat(DataDirs.resolveCifar(null, env.toString(), home, never)).isEqualTo(env);
        assertThat(DataDirs.resolveCifar("  ", env.toString(), home, never)).isEqualTo(env);
    }
}

package ai.preempt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input never crashes: one clear sentence on stderr, exit code 2, and no partial output. */
class CliBadInputTest {

    static final Path FIXTURES = Paths.get("../preempt-core/src/test/resources/torchscript").toAbsolutePath().normalize();
    static final Path MODEL = FIXTURES.resolve("tiny_cnn.pt");

    @TempDir
    Path tmp;

    static CliFixtures.Run run(String... args) {
        return CliFixtures.run(args);
    }

    @BeforeAll
    static void fixturesExist() {
        assertThat(MODEL).exists();
    }

    private static void assertOneSentenceUsageError(CliFixtures.Run r, String... fragments) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("preempt: ").doesNotContain("\tat ").doesNotContain("Exception");
        for (String f : fragments) {
            assertThat(r.err()).contains(f);
        }
    }

    private static long filesIn(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void truncatedPngGivesExit2AndWritesNothing() throws IOException {
        Path png = tmp.resolve("cut.png");
        byte[] full = Files.readAllBytes(Paths.get("../samples/chelsea.png"));
        Files.write(png, java.util.Arrays.copyOf(full, 300));
        Path out = tmp.resolve("out");
        CliFixtures.Run r = run("robustify", "--model", MODEL.toString(), "--out", out.toString(), "--steps", "1", png.toString());
        assertOneSentenceUsageError(r, "cut.png");
        assertThat(filesIn(out)).isZero();
    }

    @Test
    void zeroByteImageGivesExit2AndWritesNothing() throws IOException {
        Path empty = Files.createFile(tmp.resolve("empty.png"));
        Path out = tmp.resolve("out");
        CliFixtures.Run r = run("robustify", "--model", MODEL.toString(), "--out", out.toString(), empty.toString());
        assertOneSentenceUsageError(r, "empty.png");
        assertThat(filesIn(out)).isZero();
    }

    @Test
    void cifarFileOfWrongLengthGivesExit2() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("cifar"));
        Files.write(dir.resolve("test_batch.bin"), new byte[3073 * 2 + 5]);
        for (int i = 1; i <= 5; i++) {
            Files.write(dir.resolve("data_batch_" + i + ".bin"), new byte[3073]);
        }
        Files.writeString(dir.resolve("batches.meta.txt"), "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n");
        Path json = tmp.resolve("r.json");
        CliFixtures.Run r = run("attack", "pgd", "--model", MODEL.toString(), "--data", dir.toString(), "--n", "2", "--json",
                json.toString());
        assertOneSentenceUsageError(r, "test_batch.bin", "3073");
        assertThat(json).doesNotExist();
    }

    @Test
    void missingDataDirectoryNamesTheFlag() {
        CliFixtures.Run r = run("data", "info", "--data", tmp.resolve("nope").toString());
        assertThat(r.code()).isIn(1, 2);
        assertThat(r.err()).contains("--data");
    }

    @Test
    void fileThatIsNotTorchScriptGivesExit2() throws IOException {
        Path bogus = Files.writeString(tmp.resolve("model.pt"), "not a model");
        CliFixtures.Run r = run("attack", "pgd", "--model", bogus.toString(), "--n", "1");
        assertOneSentenceUsageError(r, "TorchScript");
    }

    @Test
    void modelWithWrongNumberOfClassesGivesExit2() {
        CliFixtures.Run r = run("attack", "pgd", "--model", FIXTURES.resolve("wrong_classes.pt").toString(), "--n", "1");
        assertOneSentenceUsageError(r, "7");
    }

    @Test
    void negativeEpsGivesExit2() {
        CliFixtures.Run r = run("attack", "pgd", "--model", MODEL.toString(), "--eps", "-1");
        assertOneSentenceUsageError(r, "--eps");
    }

    @Test
    void zeroImagesGivesExit2() {
        CliFixtures.Run r = run("attack", "pgd", "--model", MODEL.toString(), "--n", "0");
        assertOneSentenceUsageError(r, "--n");
    }

    @Test
    void epsAboveOneAndNegativeDeltaGiveExit2() {
        Path out = tmp.resolve("o");
        assertOneSentenceUsageError(run("robustify", "--model", MODEL.toString(), "--eps", "2", "--out", out.toString(),
                "../samples"), "--eps");
        assertOneSentenceUsageError(run("robustify", "--model", MODEL.toString(), "--delta", "-0.1", "--out",
                out.toString(), "../samples"), "--delta");
    }

    @Test
    void wrongSizeWithNoResizeGivesExit2() {
        Path out = tmp.resolve("o");
        CliFixtures.Run r = run("robustify", "--model", MODEL.toString(), "--no-resize", "--out", out.toString(),
                "../samples/chelsea.png");
        assertOneSentenceUsageError(r, "32×32");
    }

    @Test
    void unknownOptionGivesExit2WithUsageHint() {
        CliFixtures.Run r = run("attack", "pgd", "--frobnicate");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--frobnicate").contains("--help");
    }

    @Test
    void helpListsEveryCommand() {
        CliFixtures.Run r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("robustify", "attack", "train", "models", "data");
    }
}

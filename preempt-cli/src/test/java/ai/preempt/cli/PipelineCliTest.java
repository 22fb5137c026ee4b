package ai.preempt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.data.Image;
import ai.preempt.data.ImageIo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code --pipeline} and {@code --survive}: a bad value is one clear sentence, exit 2 and no output; a photo of
 * another size is protected at its own size and the report says what the server sees.
 */
class PipelineCliTest {

    static final Path MODEL = CliBadInputTest.MODEL;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "--pipeline;resize=32,crop=64;crop=64",
        "--pipeline;blur=3;unknown pipeline stage",
        "--pipeline;resize=32,jpeg=0;1..100",
        "--pipeline;resize=16;but the model",
        "--pipeline;resize=abc;resize needs a size",
        "--survive;jpeg:101;1..100",
        "--survive;png:90;--survive takes jpeg:Q",
        "--inner-attack;somewhere;--inner-attack"})
    void badPipelineGivesExit2AndWritesNothing(String flag, String value, String message) throws IOException {
        Path out = tmp.resolve("out");
        CliFixtures.Run r = CliFixtures.run("robustify", "--model", MODEL.toString(), flag, value, "--out",
                out.toString(), "--steps", "1", "../samples/chelsea.png");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("preempt: ").contains(message).doesNotContain("\tat ");
        assertThat(out).doesNotExist();
    }

    @Test
    void evalAndAttackRejectABadPipelineToo() {
        for (String[] args : new String[][] {{"eval", "--pipeline", "crop=40", "--n", "1"},
            {"attack", "pgd", "--pipeline", "jpeg=q", "--n", "1"}}) {
            String[] full = new String[args.length + 2];
            System.arraycopy(args, 0, full, 0, args.length);
            full[args.length] = "--model";
            full[args.length + 1] = MODEL.toString();
            CliFixtures.Run r = CliFixtures.run(full);
            assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).startsWith("preempt: ").doesNotContain("\tat ");
        }
    }

    @Test
    void photoIsProtectedAtItsOwnSize() throws IOException {
        Path out = tmp.resolve("out");
        Path photo = Paths.get("../samples/chelsea.png");
        CliFixtures.Run r = CliFixtures.run("robustify", "--model", MODEL.toString(), "--out", out.toString(),
                "--steps", "1", "--inner-steps", "1", "--pipeline", "resize=40,crop=32", photo.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Image in = ImageIo.read(photo);
        Image written = ImageIo.read(out.resolve("chelsea.png"));
        assertThat(new int[] {written.height(), written.width()}).containsExactly(in.height(), in.width());
        String verdict = Files.readString(out.resolve("chelsea.json"));
        assertThat(verdict).contains("\"pipeline\" : \"resize=40,crop=32\"").contains("\"height\" : " + in.height())
                .contains("\"quality\" : 75");
        assertThat(r.out()).contains("10-class CIFAR-10 model").contains(in.height() + "x" + in.width())
                .contains("+PGD-20");
    }

    /** {@code bench pipeline --survive none,jpeg:90} runs the path once per setting, the second for both servers. */
    @Test
    void benchRunsEveryPathOncePerSurviveSetting() {
        CliFixtures.Run r = CliFixtures.run("bench", "pipeline", "--model", MODEL.toString(), "--n", "2", "--upscale",
                "1", "--pipeline", "none", "--paths", "model", "--jpeg", "none", "--survive", "none,jpeg:90", "--steps",
                "1", "--inner-steps", "1", "--no-progress");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().lines().filter(l -> l.startsWith("model-resolution")).toList()).hasSize(2)
                .satisfiesExactly(l -> assertThat(l).doesNotContain("through"),
                        l -> assertThat(l).contains("(through none and jpeg=90)"));
    }

    /** {@code bench pipeline --split train} measures training images (for tuning) and says so; a bad split is exit 2. */
    @Test
    void benchDrawsTrainingImagesWhenAskedAndSaysSo(@TempDir Path dir) throws Exception {
        CliFixtures.Tiny tiny = CliFixtures.tinyModelAndData(dir);
        Path json = dir.resolve("bench.json");
        CliFixtures.Run r = CliFixtures.run("bench", "pipeline", "--model", tiny.model().toString(), "--data",
                tiny.data().toString(), "--split", "train", "--n", "2", "--upscale", "1", "--pipeline", "none",
                "--paths", "model", "--jpeg", "none", "--steps", "1", "--inner-steps", "1", "--json", json.toString(),
                "--no-progress");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("2 CIFAR-10 train images");
        assertThat(ai.preempt.model.ModelCard.JSON.readTree(json.toFile()).get("split").asText()).isEqualTo("train");
        assertThat(CliFixtures.run("bench", "pipeline", "--model", tiny.model().toString(), "--data",
                tiny.data().toString(), "--split", "validation", "--n", "2", "--no-progress").code()).isEqualTo(2);
    }
}

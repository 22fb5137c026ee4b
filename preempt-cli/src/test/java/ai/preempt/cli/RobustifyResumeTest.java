package ai.preempt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.data.Image;
import ai.preempt.data.ImageIo;
import ai.preempt.model.ModelCard;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An interrupted {@code robustify} over a folder resumes with no lost, duplicated or truncated output. */
class RobustifyResumeTest {

    @TempDir
    Path tmp;

    private static void writeImage(Path file, long seed) {
        Random r = new Random(seed);
        float[] v = new float[3 * 32 * 32];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(256) / 255f;
        }
        ImageIo.writePng(file, new Image(3, 32, 32, v));
    }

    @Test
    void interruptedRunResumesWithoutLostDuplicatedOrTruncatedOutput() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        for (int i = 0; i < 4; i++) {
            writeImage(in.resolve("img" + i + ".png"), i);
        }
        Path out = tmp.resolve("out");
        String[] args = {"robustify", "--model", CliBadInputTest.MODEL.toString(), "--steps", "2", "--inner-steps", "2",
            "--batch", "1", "--no-check", "--no-progress", "--out", out.toString(), in.toString()};
        assertThat(CliFixtures.run(args).code()).isZero();
        // simulate a kill: img2's verdict never got written, img3 was cut off mid-write (only a temp file exists)
        Files.delete(out.resolve("img2.json"));
        Files.delete(out.resolve("img3.png"));
        Files.delete(out.resolve("img3.json"));
        Files.write(out.resolve(".img3.png.12345.tmp"), new byte[] {(byte) 0x89, 'P', 'N'});
        Files.delete(out.resolve("report.json"));
        FileTime before = Files.getLastModifiedTime(out.resolve("img0.png"));
        byte[] img0 = Files.readAllBytes(out.resolve("img0.png"));
        Thread.sleep(20);

        CliFixtures.Run again = CliFixtures.run(args);
        assertThat(again.code()).isZero();
        // finished images were skipped, not redone
        assertThat(Files.getLastModifiedTime(out.resolve("img0.png"))).isEqualTo(before);
        assertThat(Files.readAllBytes(out.resolve("img0.png"))).isEqualTo(img0);
        // every image has exactly one complete PNG and verdict, and the report lists each once
        JsonNode report = ModelCard.JSON.readTree(out.resolve("report.json").toFile());
        assertThat(report.get("verdicts")).hasSize(4);
        java.util.Set<String> names = new java.util.HashSet<>();
        report.get("verdicts").forEach(v -> names.add(v.get("name").asText()));
        assertThat(names).containsExactlyInAnyOrder("img0", "img1", "img2", "img3");
        for (int i = 0; i < 4; i++) {
            Image img = ImageIo.read(out.resolve("img" + i + ".png"));
            assertThat(img.width()).isEqualTo(32);
            assertThat(ModelCard.JSON.readTree(out.resolve("img" + i + ".json").toFile()).get("name").asText())
                    .isEqualTo("img" + i);
        }
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.filter(p -> p.getFileName().toString().endsWith(".png")).count()).isEqualTo(4);
        }
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();
        }
    }
}

package ai.preempt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.data.Image;
import ai.preempt.data.ImageIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code robustify --max-pixels / --max-bytes}: an image over the limit is refused with exit 2 and no output. */
class RobustifyImageLimitsTest {

    @TempDir
    Path tmp;

    private Path grey(String name, int h, int w) {
        float[] v = new float[3 * h * w];
        java.util.Arrays.fill(v, 0.5f);
        Path f = tmp.resolve(name);
        ImageIo.writePng(f, new Image(3, h, w, v));
        return f;
    }

    private CliFixtures.Run robustify(Path out, String... more) {
        String[] base = {"robustify", "--model", CliBadInputTest.MODEL.toString(), "--out", out.toString(),
            "--steps", "1", "--no-check"};
        String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return CliFixtures.run(args);
    }

    private static void assertRefusedWithoutOutput(CliFixtures.Run r, Path out, String... fragments) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("preempt: ").doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        for (String f : fragments) {
            assertThat(r.err()).contains(f);
        }
        assertThat(out).doesNotExist();
    }

    @Test
    void imageOverMaxPixelsIsRefusedNamingFileAndFlag() {
        Path photo = grey("wide.png", 40, 50);
        Path out = tmp.resolve("out");
        assertRefusedWithoutOutput(robustify(out, "--max-pixels", "1999", photo.toString()), out,
                "wide.png is 50×40 = 2,000 pixels, more than the limit of 1,999 pixels (--max-pixels)");
    }

    @Test
    void imageAtMaxPixelsIsProtected() {
        Path photo = grey("wide.png", 40, 50);
        Path out = tmp.resolve("out");
        CliFixtures.Run r = robustify(out, "--max-pixels", "2000", photo.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(out.resolve("wide.png")).isRegularFile();
    }

    @Test
    void pngHeaderClaimingFiftyThousandSquaredIsRefusedUnderTheDefault() throws IOException {
        Path f = grey("bomb.png", 8, 8);
        byte[] b = Files.readAllBytes(f);
        ByteBuffer.wrap(b, 16, 8).putInt(50_000).putInt(50_000);
        CRC32 crc = new CRC32();
        crc.update(b, 12, 17);
        ByteBuffer.wrap(b, 29, 4).putInt((int) crc.getValue());
        Files.write(f, b);
        Path out = tmp.resolve("out");
        assertRefusedWithoutOutput(robustify(out, f.toString()), out, "bomb.png", "40,000,000", "--max-pixels");
    }

    @Test
    void fileOverMaxBytesIsRefused() throws IOException {
        Path photo = grey("big.png", 16, 16);
        long size = Files.size(photo);
        Path out = tmp.resolve("out");
        assertRefusedWithoutOutput(robustify(out, "--max-bytes", String.valueOf(size - 1), photo.toString()), out,
                "big.png", "--max-bytes");
    }

    @Test
    void nonPositiveLimitIsAUsageError() {
        Path out = tmp.resolve("out");
        assertRefusedWithoutOutput(robustify(out, "--max-pixels", "0", grey("a.png", 4, 4).toString()), out,
                "--max-pixels");
    }
}

package ai.preempt.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.preempt.data.DataException.Reason;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImageIo} against hostile and oversized input under {@link ImageLimits}. */
class ImageLimitsTest {

    @TempDir
    Path tmp;

    private static BufferedImage noise(int w, int h, long seed) {
        Random rnd = new Random(seed);
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                bi.setRGB(x, y, rnd.nextInt(1 << 24));
            }
        }
        return bi;
    }

    private static DataException refusal(Reason reason, ThrowingCallable call) {
        DataException e = catchThrowableOfType(DataException.class, call);
        assertThat(e).as("a DataException").isNotNull();
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
        return e;
    }

    private static ImageLimits maxPixels(long n) {
        return ImageLimits.builder().optMaxPixels(n).build();
    }

    @Test
    void defaultsAreFortyMegapixelsTenMebibytesAndPngJpegBmp() {
        assertThat(ImageLimits.DEFAULT.maxPixels()).isEqualTo(40_000_000L);
        assertThat(ImageLimits.DEFAULT.maxBytes()).isEqualTo(10L * 1024 * 1024);
        assertThat(ImageLimits.DEFAULT.formats()).containsExactlyInAnyOrder(ImageFormat.values());
        assertThatThrownBy(() -> ImageLimits.builder().optMaxPixels(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ImageLimits.builder().optFormats(EnumSet.noneOf(ImageFormat.class)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pngHeaderClaimingFiftyThousandSquaredIsRefusedFromTheHeader() {
        byte[] png = ImageBytes.pngWithSize(ImageBytes.encode(noise(8, 8, 1), "png"), 50_000, 50_000);
        DataException e = refusal(Reason.TOO_MANY_PIXELS, () -> ImageIo.decode(png, "bomb.png", ImageLimits.DEFAULT));
        assertThat(e).hasMessage("bomb.png is 50000×50000 = 2,500,000,000 pixels, more than the limit of"
                + " 40,000,000 pixels (--max-pixels)");
    }

    @Test
    void pixelLimitIsCheckedBeforeAnyPixelIsDecoded() {
        // 2000×2000 declared, 8×8 worth of data: decoding would fail as CORRUPT, so TOO_MANY_PIXELS
        // proves the check ran first
        byte[] png = ImageBytes.pngWithSize(ImageBytes.encode(noise(8, 8, 2), "png"), 2000, 2000);
        refusal(Reason.CORRUPT, () -> ImageIo.decode(png, ImageLimits.DEFAULT));
        refusal(Reason.TOO_MANY_PIXELS, () -> ImageIo.decode(png, maxPixels(2000 * 2000 - 1)));
    }

    @Test
    void pixelLimitIsInclusiveForEveryFormat() {
        BufferedImage bi = noise(40, 25, 3);
        for (byte[] bytes : new byte[][] {ImageBytes.encode(bi, "png"), ImageBytes.jpeg(bi), ImageBytes.encode(bi, "bmp")}) {
            assertThat(ImageIo.decode(bytes, maxPixels(1000)).height()).isEqualTo(25);
            refusal(Reason.TOO_MANY_PIXELS, () -> ImageIo.decode(bytes, maxPixels(999)));
        }
    }

    @Test
    void jpegAndBmpHeadersClaimingHugeSizesAreRefused() {
        BufferedImage bi = noise(16, 16, 4);
        byte[] jpeg = ImageBytes.jpegWithSize(ImageBytes.jpeg(bi), 60_000, 60_000);
        byte[] bmp = ImageBytes.bmpWithSize(ImageBytes.encode(bi, "bmp"), 50_000, 50_000);
        assertThat(refusal(Reason.TOO_MANY_PIXELS, () -> ImageIo.decode(jpeg, ImageLimits.DEFAULT)))
                .hasMessageContaining("60000×60000");
        assertThat(refusal(Reason.TOO_MANY_PIXELS, () -> ImageIo.decode(bmp, ImageLimits.DEFAULT)))
                .hasMessageContaining("50000×50000");
    }

    @Test
    void byteLimitIsInclusiveAndCheckedForFilesBeforeReading() throws IOException {
        byte[] png = ImageBytes.encode(noise(16, 16, 5), "png");
        Path f = Files.write(tmp.resolve("photo.png"), png);
        ImageLimits exact = ImageLimits.builder().optMaxBytes(png.length).build();
        ImageLimits less = ImageLimits.builder().optMaxBytes(png.length - 1).build();
        assertThat(ImageIo.read(f, exact).width()).isEqualTo(16);
        assertThat(ImageIo.decode(png, exact).width()).isEqualTo(16);
        assertThat(refusal(Reason.TOO_LARGE_BYTES, () -> ImageIo.read(f, less)))
                .hasMessageContaining("photo.png").hasMessageContaining("--max-bytes");
        refusal(Reason.TOO_LARGE_BYTES, () -> ImageIo.decode(png, less));
    }

    @Test
    void emptyTruncatedAndGarbageBytesAreCorrupt() throws IOException {
        byte[] png = ImageBytes.encode(noise(64, 64, 6), "png");
        byte[] jpeg = ImageBytes.jpeg(noise(64, 64, 7));
        refusal(Reason.CORRUPT, () -> ImageIo.decode(new byte[0], ImageLimits.DEFAULT));
        refusal(Reason.CORRUPT, () -> ImageIo.decode(Arrays.copyOf(png, png.length / 2), ImageLimits.DEFAULT));
        refusal(Reason.CORRUPT, () -> ImageIo.decode(Arrays.copyOf(png, 30), ImageLimits.DEFAULT));
        refusal(Reason.CORRUPT, () -> ImageIo.decode(Arrays.copyOf(jpeg, jpeg.length / 2), ImageLimits.DEFAULT));
        refusal(Reason.CORRUPT, () -> ImageIo.decode("just some text\n".getBytes(), ImageLimits.DEFAULT));
        Path text = Files.writeString(tmp.resolve("notes.png"), "hello, this is not an image\n");
        assertThat(refusal(Reason.CORRUPT, () -> ImageIo.read(text))).hasMessageContaining("notes.png");
    }

    @Test
    void formatsOutsideTheLimitsAreUnsupported() {
        BufferedImage bi = noise(8, 8, 8);
        assertThat(refusal(Reason.UNSUPPORTED_FORMAT, () -> ImageIo.decode(ImageBytes.encode(bi, "gif"),
                "anim.gif", ImageLimits.DEFAULT))).hasMessage("anim.gif is a GIF image; only PNG, JPEG, BMP images"
                        + " are accepted");
        ImageLimits pngOnly = ImageLimits.builder().optFormats(EnumSet.of(ImageFormat.PNG)).build();
        refusal(Reason.UNSUPPORTED_FORMAT, () -> ImageIo.decode(ImageBytes.jpeg(bi), pngOnly));
        assertThat(ImageIo.decode(ImageBytes.encode(bi, "png"), pngOnly).width()).isEqualTo(8);
    }

    @Test
    void missingFileAndFolderAreIo() throws IOException {
        assertThat(refusal(Reason.IO, () -> ImageIo.read(tmp.resolve("missing.png"))))
                .hasMessageContaining("missing.png");
        Path dir = Files.createDirectory(tmp.resolve("folder.png"));
        refusal(Reason.IO, () -> ImageIo.read(dir));
    }

    @Test
    void randomlyDamagedFilesDecodeOrFailWithADataException() {
        BufferedImage bi = noise(24, 20, 9);
        ImageLimits small = maxPixels(100_000);
        Random rnd = new Random(10);
        int refused = 0;
        for (byte[] good : new byte[][] {ImageBytes.encode(bi, "png"), ImageBytes.jpeg(bi), ImageBytes.encode(bi, "bmp")}) {
            for (int trial = 0; trial < 150; trial++) {
                byte[] bad = good.clone();
                for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                    bad[rnd.nextInt(Math.min(bad.length, 200))] = (byte) rnd.nextInt(256);
                }
                byte[] cut = rnd.nextBoolean() ? bad : Arrays.copyOf(bad, rnd.nextInt(bad.length));
                try {
                    Image img = ImageIo.decode(cut, small);
                    assertThat((long) img.height() * img.width()).isLessThanOrEqualTo(small.maxPixels());
                } catch (DataException e) {
                    refused++;
                }
            }
        }
        assertThat(refused).as("damage that was noticed").isPositive();
    }
}

package ai.preempt.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.PreemptEngine;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageIoTest {

    @TempDir
    Path tmp;

    private static Image random8bit(int h, int w, long seed) {
        Random rnd = new Random(seed);
        float[] v = new float[3 * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextInt(256) / 255f;
        }
        return new Image(3, h, w, v);
    }

    private Path write(BufferedImage bi, String format, String name) throws IOException {
        Path f = tmp.resolve(name);
        assertThat(ImageIO.write(bi, format, f.toFile())).isTrue();
        return f;
    }

    @Test
    void eightBitImageWrittenAsPngReadsBackBitIdentical() throws IOException {
        Image img = random8bit(17, 23, 1);
        Path f = tmp.resolve("sub/round.png");
        ImageIo.writePng(f, img);
        assertThat(ImageIo.read(f)).isEqualTo(img);
        assertThat(ImageIo.toPngBytes(img)).isEqualTo(ImageIo.toPngBytes(ImageIo.read(f)));
        try (var s = Files.list(f.getParent())) {
            assertThat(s.count()).as("no temporary files left").isEqualTo(1);
        }
    }

    @Test
    void pngWriterRoundsAndClamps() {
        Image img = new Image(3, 1, 2, new float[] {-0.5f, 1.5f, 0.5f, 0.2f, 0.1f / 255, 0.6f / 255});
        Path f = tmp.resolve("clamp.png");
        ImageIo.writePng(f, img);
        assertThat(ImageIo.read(f).chw()).containsExactly(0f, 1f, 128 / 255f, 51 / 255f, 0f, 1 / 255f);
    }

    @Test
    void sixteenBitGreyIsScaledByItsFullRangeAndReplicatedToRgb() throws IOException {
        BufferedImage bi = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
        int[] values = {0, 1000, 65535};
        for (int x = 0; x < 3; x++) {
            bi.getRaster().setSample(x, 0, 0, values[x]);
        }
        Image img = ImageIo.read(write(bi, "png", "grey16.png"));
        assertThat(img.channels()).isEqualTo(3);
        for (int c = 0; c < 3; c++) {
            for (int x = 0; x < 3; x++) {
                assertThat(img.get(c, 0, x)).isEqualTo(values[x] / 65535f);
            }
        }
    }

    @Test
    void sixteenBitRgbKeepsItsPrecision() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster r = cm.createCompatibleWritableRaster(2, 1);
        r.setPixel(0, 0, new int[] {1, 32768, 65535});
        r.setPixel(1, 0, new int[] {257, 12345, 0});
        Image img = ImageIo.read(write(new BufferedImage(cm, r, false, null), "png", "rgb16.png"));
        assertThat(img.get(0, 0, 0)).isEqualTo(1 / 65535f);
        assertThat(img.get(1, 0, 0)).isEqualTo(32768 / 65535f);
        assertThat(img.get(1, 0, 1)).isEqualTo(12345 / 65535f);
    }

    @Test
    void eightBitGreyUsesStoredValues() throws IOException {
        BufferedImage bi = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        bi.getRaster().setSample(0, 0, 0, 100);
        bi.getRaster().setSample(1, 0, 0, 200);
        Image img = ImageIo.read(write(bi, "png", "grey8.png"));
        assertThat(img.get(2, 0, 0)).isEqualTo(100 / 255f);
        assertThat(img.get(0, 0, 1)).isEqualTo(200 / 255f);
    }

    @Test
    void indexedPngIsConvertedThroughItsPalette() throws IOException {
        byte[] r = {(byte) 255, 0, 10};
        byte[] g = {0, (byte) 255, 20};
        byte[] b = {0, 0, 30};
        BufferedImage bi = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 3, r, g, b));
        for (int x = 0; x < 3; x++) {
            bi.getRaster().setSample(x, 0, 0, x);
        }
        Image img = ImageIo.read(write(bi, "png", "indexed.png"));
        assertThat(new float[] {img.get(0, 0, 0), img.get(1, 0, 0), img.get(2, 0, 0)}).containsExactly(1f, 0f, 0f);
        assertThat(new float[] {img.get(0, 0, 2), img.get(1, 0, 2), img.get(2, 0, 2)})
                .containsExactly(10 / 255f, 20 / 255f, 30 / 255f);
    }

    @Test
    void alphaIsCompositedOntoWhite() throws IOException {
        BufferedImage bi = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
        bi.setRGB(0, 0, 0x00000000); // fully transparent black → white
        bi.setRGB(1, 0, 0xFF000000); // opaque black → black
        bi.setRGB(2, 0, 0x80FF0000); // half-transparent red
        Image img = ImageIo.read(write(bi, "png", "rgba.png"));
        for (int c = 0; c < 3; c++) {
            assertThat(img.get(c, 0, 0)).isEqualTo(1f);
            assertThat(img.get(c, 0, 1)).isEqualTo(0f);
        }
        float a = 128 / 255f;
        assertThat(img.get(0, 0, 2)).isEqualTo(1f);
        assertThat(img.get(1, 0, 2)).isCloseTo(1 - a, within(1e-6f));
    }

    @Test
    void bmpReadsExactlyAndJpegApproximately() throws IOException {
        Image img = random8bit(8, 8, 3);
        BufferedImage bi = ImageIO.read(new java.io.ByteArrayInputStream(ImageIo.toPngBytes(img)));
        assertThat(ImageIo.read(write(bi, "bmp", "x.BMP"))).isEqualTo(img);
        Image flat = new Image(3, 8, 8, new float[192]);
        Arrays.fill(flat.chw(), 0.5f);
        BufferedImage grey = ImageIO.read(new java.io.ByteArrayInputStream(ImageIo.toPngBytes(flat)));
        Image jpeg = ImageIo.read(write(grey, "jpeg", "x.jpg"));
        for (float v : jpeg.chw()) {
            assertThat(v).isCloseTo(0.5f, within(3 / 255f));
        }
    }

    @Test
    void zeroByteFileIsRejectedNamingIt() throws IOException {
        Path f = Files.createFile(tmp.resolve("empty.png"));
        assertThatThrownBy(() -> ImageIo.read(f)).isInstanceOf(DataException.class)
                .hasMessageContaining("empty.png is empty (0 bytes)");
    }

    @Test
    void truncatedPngIsRejectedNamingIt() throws IOException {
        byte[] png = ImageIo.toPngBytes(random8bit(64, 64, 5));
        Path f = Files.write(tmp.resolve("cut.png"), Arrays.copyOf(png, png.length / 2));
        assertThatThrownBy(() -> ImageIo.read(f)).isInstanceOf(DataException.class)
                .hasMessageContaining("cut.png").hasMessageContaining("truncated or corrupt");
    }

    @Test
    void ndArrayConversionRoundTrips() {
        Image img = random8bit(4, 5, 9);
        PreemptEngine.run(() -> {
            try (NDManager m = PreemptEngine.newManager()) {
                NDArray x = img.toNDArray(m);
                assertThat(x.getShape()).isEqualTo(new Shape(1, 3, 4, 5));
                assertThat(Image.fromNDArray(x)).isEqualTo(img);
                assertThat(Image.fromNDArray(x.squeeze(0))).isEqualTo(img);
            }
        });
    }
}

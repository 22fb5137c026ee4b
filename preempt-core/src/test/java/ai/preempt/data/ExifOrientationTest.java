package ai.preempt.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExifOrientationTest {

    /** The picture as it is meant to be seen: 3 rows × 4 columns of 16-pixel blocks, each its own colour. */
    private static final int ROWS = 3;
    private static final int COLS = 4;
    private static final int BLOCK = 16;
    private static final int HD = ROWS * BLOCK;
    private static final int WD = COLS * BLOCK;

    /** Block colour (r, g, b) of block {@code k}: the base-3 digits of k + 1, each 0, ½ or 1. */
    private static float[] colour(int k) {
        int v = k + 1;
        return new float[] {v % 3 / 2f, v / 3 % 3 / 2f, v / 9 % 3 / 2f};
    }

    private static float[] displayed(int y, int x) {
        return colour(y / BLOCK * COLS + x / BLOCK);
    }

    /**
     * The stored JPEG pixels for {@code orientation}, built from the EXIF table ("row 0 is the visual
     * top/bottom/left/right, column 0 is the visual left/right/top/bottom") rather than from the
     * transforms the code uses.
     */
    private static BufferedImage stored(int orientation) {
        String[] row0 = {"top", "top", "bottom", "bottom", "left", "right", "right", "left"};
        String[] col0 = {"left", "right", "right", "left", "top", "top", "bottom", "bottom"};
        String r0 = row0[orientation - 1];
        String c0 = col0[orientation - 1];
        boolean rowsAreSides = orientation >= 5;
        int h = rowsAreSides ? WD : HD;
        int w = rowsAreSides ? HD : WD;
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                int y;
                int x;
                if (rowsAreSides) { // stored row r is a visual column, stored column c a visual row
                    x = r0.equals("left") ? r : WD - 1 - r;
                    y = c0.equals("top") ? c : HD - 1 - c;
                } else {
                    y = r0.equals("top") ? r : HD - 1 - r;
                    x = c0.equals("left") ? c : WD - 1 - c;
                }
                float[] rgb = displayed(y, x);
                bi.setRGB(c, r, Math.round(rgb[0] * 255) << 16 | Math.round(rgb[1] * 255) << 8
                        | Math.round(rgb[2] * 255));
            }
        }
        return bi;
    }

    private static void assertShowsThePicture(Image img) {
        assertThat(img.height()).isEqualTo(HD);
        assertThat(img.width()).isEqualTo(WD);
        for (int y = BLOCK / 2; y < HD; y += BLOCK) {
            for (int x = BLOCK / 2; x < WD; x += BLOCK) {
                float[] want = displayed(y, x);
                for (int c = 0; c < 3; c++) {
                    assertThat(img.get(c, y, x)).as("channel %d of the block at (%d, %d)", c, y, x)
                            .isCloseTo(want[c], within(0.1f));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void jpegWithEachOrientationDecodesToThePictureAsSeen(int orientation) {
        ByteOrder order = orientation % 2 == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        byte[] jpeg = ImageBytes.withApp1(ImageBytes.jpeg(stored(orientation)),
                ImageBytes.orientationTiff(orientation, order));
        assertThat(ExifOrientation.ofJpeg(jpeg)).isEqualTo(orientation);
        assertShowsThePicture(ImageIo.decode(jpeg, ImageLimits.DEFAULT));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 9, 255, 65535})
    void outOfRangeOrientationIsIgnored(int value) {
        BufferedImage asStored = stored(1);
        byte[] plain = ImageBytes.jpeg(asStored);
        byte[] tagged = ImageBytes.withApp1(plain, ImageBytes.orientationTiff(value, ByteOrder.BIG_ENDIAN));
        assertThat(ExifOrientation.ofJpeg(tagged)).isEqualTo(ExifOrientation.NORMAL);
        assertShowsThePicture(ImageIo.decode(tagged, ImageLimits.DEFAULT));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 8, 9, 12, 14, 20, 21})
    void truncatedOrMalformedExifIsIgnored(int keep) {
        byte[] tiff = Arrays.copyOf(ImageBytes.orientationTiff(6, ByteOrder.LITTLE_ENDIAN), keep);
        byte[] jpeg = ImageBytes.withApp1(ImageBytes.jpeg(stored(1)), tiff);
        assertThat(ExifOrientation.ofJpeg(jpeg)).isEqualTo(ExifOrientation.NORMAL);
        assertShowsThePicture(ImageIo.decode(jpeg, ImageLimits.DEFAULT));
    }

    @org.junit.jupiter.api.Test
    void ifdOffsetAndEntryCountPointingPastTheSegmentAreIgnored() {
        byte[] tiff = ImageBytes.orientationTiff(6, ByteOrder.BIG_ENDIAN);
        byte[] farOffset = tiff.clone();
        farOffset[4] = (byte) 0x7F; // IFD offset 0x7F000008
        byte[] manyEntries = tiff.clone();
        manyEntries[8] = (byte) 0xFF; // 0xFF01 entries in a 12-byte IFD
        manyEntries[9] = (byte) 0x01;
        manyEntries[10] = 0; // and the first entry is no longer the Orientation tag
        for (byte[] t : new byte[][] {farOffset, manyEntries}) {
            assertThat(ExifOrientation.ofJpeg(ImageBytes.withApp1(ImageBytes.jpeg(stored(1)), t)))
                    .isEqualTo(ExifOrientation.NORMAL);
        }
        assertThat(ExifOrientation.ofJpeg(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE1, 0, 1}))
                .isEqualTo(ExifOrientation.NORMAL);
    }
}

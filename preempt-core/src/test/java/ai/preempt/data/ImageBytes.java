package ai.preempt.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;

/** Builds image files byte by byte for tests: encoded images, forged headers, EXIF segments. */
final class ImageBytes {

    private ImageBytes() {}

    /** @return {@code img} encoded as {@code format} ("png", "bmp", "gif") */
    static byte[] encode(BufferedImage img, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** @return {@code img} as a baseline JPEG at quality 0.95 */
    static byte[] jpeg(BufferedImage img) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(0.95f);
            writer.write(null, new IIOImage(img, null, null), p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** @return a copy of {@code png} whose IHDR declares {@code width}×{@code height}, with a valid CRC */
    static byte[] pngWithSize(byte[] png, int width, int height) {
        byte[] b = png.clone();
        // signature (8), IHDR length (4), "IHDR" at 12, width at 16, height at 20, ..., CRC at 29
        ByteBuffer.wrap(b, 16, 8).putInt(width).putInt(height);
        CRC32 crc = new CRC32();
        crc.update(b, 12, 17);
        ByteBuffer.wrap(b, 29, 4).putInt((int) crc.getValue());
        return b;
    }

    /** @return a copy of {@code jpeg} whose first SOF segment declares {@code width}×{@code height} */
    static byte[] jpegWithSize(byte[] jpeg, int width, int height) {
        byte[] b = jpeg.clone();
        int i = 2;
        while ((b[i + 1] & 0xFF) < 0xC0 || (b[i + 1] & 0xFF) > 0xC2) {
            i += 2 + ((b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF));
        }
        // FF Cn, length (2), precision (1), height (2), width (2)
        ByteBuffer.wrap(b, i + 5, 4).putShort((short) height).putShort((short) width);
        return b;
    }

    /** @return a copy of {@code bmp} whose header declares {@code width}×{@code height} */
    static byte[] bmpWithSize(byte[] bmp, int width, int height) {
        byte[] b = bmp.clone();
        ByteBuffer.wrap(b, 18, 8).order(ByteOrder.LITTLE_ENDIAN).putInt(width).putInt(height);
        return b;
    }

    /** @return {@code jpeg} with an Exif APP1 segment holding {@code tiff} inserted right after SOI */
    static byte[] withApp1(byte[] jpeg, byte[] tiff) {
        int len = 2 + 6 + tiff.length;
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + 2 + len);
        out.put(jpeg, 0, 2).put((byte) 0xFF).put((byte) 0xE1).putShort((short) len);
        out.put(new byte[] {'E', 'x', 'i', 'f', 0, 0}).put(tiff).put(jpeg, 2, jpeg.length - 2);
        return out.array();
    }

    /**
     * @return a TIFF structure whose first IFD holds one entry: tag 0x0112 (Orientation), type SHORT,
     *     count 1, {@code value}
     */
    static byte[] orientationTiff(int value, ByteOrder order) {
        ByteBuffer t = ByteBuffer.allocate(8 + 2 + 12 + 4).order(order);
        t.put(order == ByteOrder.LITTLE_ENDIAN ? new byte[] {'I', 'I'} : new byte[] {'M', 'M'});
        t.putShort((short) 42).putInt(8);
        t.putShort((short) 1);
        t.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) value).putShort((short) 0);
        t.putInt(0);
        return t.array();
    }
}

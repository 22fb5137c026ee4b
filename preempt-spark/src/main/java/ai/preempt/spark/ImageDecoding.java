package ai.preempt.spark;

import ai.preempt.data.DataException;
import ai.preempt.data.Image;
import ai.preempt.data.ImageIo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The one place the job turns input bytes into an {@link Image}, with the limits checked before any pixel is
 * decoded (byte count first, then the width×height the header declares). A rejected image throws
 * {@link Rejected}, whose {@link Reason} goes into the verdict table.
 *
 * <p>Adapter: once core's {@code ImageIo.decode(byte[], ImageLimits)} exists, this class delegates to it and maps
 * its reason; nothing else in the module changes.
 */
final class ImageDecoding {

    /** Why an input was not protected; the names match core's image-decoding reasons. */
    enum Reason { TOO_LARGE_BYTES, TOO_MANY_PIXELS, UNSUPPORTED_FORMAT, CORRUPT, IO }

    /** An input that is not a usable image. */
    static final class Rejected extends DataException {
        private static final long serialVersionUID = 1L;
        private final Reason reason;

        Rejected(Reason reason, String message, Throwable cause) {
            super(message, cause);
            this.reason = reason;
        }

        Reason reason() {
            return reason;
        }
    }

    private static final Set<String> FORMATS = Set.of("png", "jpeg", "bmp");

    private ImageDecoding() {}

    /**
     * @param bytes the file's content
     * @param maxBytes the largest accepted input
     * @param maxPixels the largest accepted width×height, checked from the header
     * @return a 3×H×W image in [0,1], decoded as {@link ImageIo#read} decodes a file
     * @throws Rejected when the input is too big, not a PNG/JPEG/BMP, or corrupt
     */
    static Image decode(byte[] bytes, long maxBytes, long maxPixels) {
        if (bytes.length > maxBytes) {
            throw new Rejected(Reason.TOO_LARGE_BYTES, bytes.length + " bytes, more than the limit of " + maxBytes, null);
        }
        if (bytes.length == 0) {
            throw new Rejected(Reason.CORRUPT, "empty file (0 bytes)", null);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            ImageReader reader = readers.hasNext() ? readers.next() : null;
            String format = reader == null ? null : reader.getFormatName().toLowerCase(Locale.ROOT);
            if (reader == null || !FORMATS.contains(format)) {
                throw new Rejected(Reason.UNSUPPORTED_FORMAT, "not a PNG, JPEG or BMP image"
                        + (format == null ? "" : " (it looks like " + format.toUpperCase(Locale.ROOT) + ")"), null);
            }
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > maxPixels) {
                    throw new Rejected(Reason.TOO_MANY_PIXELS, reader.getWidth(0) + "×" + reader.getHeight(0)
                            + " pixels, more than the limit of " + maxPixels, null);
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof Rejected r) {
                throw r;
            }
            throw new Rejected(Reason.CORRUPT, "cannot read the image header (" + e.getMessage() + ")", e);
        }
        return decodeChecked(bytes);
    }

    /** Decodes through core's file reader, so that the pixels equal what {@code preempt robustify} reads. */
    private static Image decodeChecked(byte[] bytes) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("preempt-decode", ".img");
            Files.write(tmp, bytes);
            return ImageIo.read(tmp);
        } catch (IOException e) {
            throw new Rejected(Reason.IO, "cannot stage the image for decoding: " + e.getMessage(), e);
        } catch (DataException e) {
            throw new Rejected(Reason.CORRUPT, e.getMessage().replace("image file " + tmp + " ", "the image "), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temporary file left in java.io.tmpdir is harmless
                }
            }
        }
    }
}

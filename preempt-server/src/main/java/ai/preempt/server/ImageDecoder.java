package ai.preempt.server;

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
 * The service's one door to image decoding: bytes in, an image or a 4xx {@link ApiException} out
 * (too large → 413, not PNG/JPEG/BMP → 415, corrupt → 400). The pixel count is checked from the header
 * before anything is decoded.
 */
final class ImageDecoder {

    private static final Set<String> FORMATS = Set.of("png", "jpeg", "bmp");
    private final long maxBytes;
    private final long maxPixels;

    ImageDecoder(long maxBytes, long maxPixels) {
        this.maxBytes = maxBytes;
        this.maxPixels = maxPixels;
    }

    /** @return the decoded image, RGB in [0,1] */
    Image decode(byte[] bytes) {
        if (bytes.length == 0) {
            throw new ApiException(400, "the request has no image: the body is empty");
        }
        if (bytes.length > maxBytes) {
            throw new ApiException(413, "the upload has " + bytes.length + " bytes; at most " + maxBytes + " are accepted");
        }
        checkHeader(bytes);
        Path tmp = null;
        try {
            tmp = Files.createTempFile("preempt-upload", ".img");
            Files.write(tmp, bytes);
            return ImageIo.read(tmp);
        } catch (DataException e) {
            throw new ApiException(400, "the image cannot be decoded; it may be truncated or corrupt");
        } catch (IOException e) {
            throw new IllegalStateException("could not buffer an upload: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temporary file the OS cleans up
                }
            }
        }
    }

    /** Checks format and pixel count from the header, without decoding the pixels. */
    private void checkHeader(byte[] bytes) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ApiException(415, "the upload is not a PNG, JPEG or BMP image");
            }
            ImageReader reader = readers.next();
            try {
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                if (!FORMATS.contains(format)) {
                    throw new ApiException(415, "the upload is a " + format.toUpperCase(Locale.ROOT)
                            + " image; only PNG, JPEG and BMP are accepted");
                }
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > maxPixels) {
                    throw new ApiException(413, "the image has " + reader.getWidth(0) + "x" + reader.getHeight(0)
                            + " pixels; at most " + maxPixels + " pixels are accepted");
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException a) {
                throw a;
            }
            throw new ApiException(400, "the image header cannot be read; it may be truncated or corrupt");
        }
    }
}

package ai.preempt.data;

import ai.preempt.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.color.ColorSpace;
import ai.preempt.data.DataException.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes PNG, JPEG and BMP files and uploads to RGB {@link Image}s in [0,1] and encodes images as 8-bit
 * RGB PNG.
 *
 * <p>Decoding rules: samples are scaled by their own bit depth (a 16-bit sample is divided by 65535,
 * not truncated to 8 bits); greyscale is replicated to three channels, using the stored grey values
 * as they are; palette images are looked up to RGB; an alpha channel is composited onto white
 * ({@code c·a + (1−a)}), since the models take opaque images. Other colour spaces are converted to sRGB
 * at 8 bits. A JPEG's EXIF orientation is applied ({@link ExifOrientation}), so the image is the
 * picture as a viewer shows it.
 *
 * <p>Untrusted input: {@link #decode(byte[], String, ImageLimits)} and {@link #read(Path, ImageLimits)}
 * refuse, with a {@link DataException} whose {@link DataException#reason() reason} says why, anything
 * over the byte limit (before reading a file), any format the limits do not allow, and any image whose
 * header declares more pixels than the limit (asked of the decoder before a single pixel is decoded, so
 * a 50,000 × 50,000 header costs nothing); empty, truncated and garbage bytes are {@code CORRUPT}.
 */
public final class ImageIo {

    private ImageIo() {}

    /** Reads {@code file} under {@link ImageLimits#DEFAULT}; see {@link #read(Path, ImageLimits)}. */
    public static Image read(Path file) {
        return read(file, ImageLimits.DEFAULT);
    }

    /**
     * @param file a PNG, JPEG or BMP file
     * @param limits what to accept
     * @return a 3×H×W image in [0,1], EXIF orientation applied
     * @throws DataException when the file is missing or unreadable ({@code IO}), larger than the limits
     *     ({@code TOO_LARGE_BYTES}, {@code TOO_MANY_PIXELS}), of another format ({@code UNSUPPORTED_FORMAT})
     *     or empty, truncated or not an image ({@code CORRUPT}); the message names the file
     */
    public static Image read(Path file, ImageLimits limits) {
        String name = file.toString();
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file)) {
                throw new DataException(Reason.IO, "image file " + name
                        + (Files.exists(file) ? " is not a regular file" : " does not exist"));
            }
            checkBytes(Files.size(file), name, limits);
            try (InputStream in = Files.newInputStream(file)) {
                // the file may have grown since the size check: read one byte past the limit to notice
                bytes = in.readNBytes((int) Math.min(limits.maxBytes() + 1, Integer.MAX_VALUE - 8));
            }
        } catch (IOException e) {
            throw new DataException(Reason.IO, "image file " + name + " cannot be read (" + e.getMessage() + ")", e);
        }
        return decode(bytes, name, limits);
    }

    /** Decodes {@code bytes} named "the image" in messages; see {@link #decode(byte[], String, ImageLimits)}. */
    public static Image decode(byte[] bytes, ImageLimits limits) {
        return decode(bytes, "the image", limits);
    }

    /**
     * @param bytes the contents of a PNG, JPEG or BMP file
     * @param name what to call the bytes in messages (a file name, "the upload")
     * @param limits what to accept
     * @return a 3×H×W image in [0,1], EXIF orientation applied
     * @throws DataException as {@link #read(Path, ImageLimits)}, never {@code IO}
     */
    public static Image decode(byte[] bytes, String name, ImageLimits limits) {
        checkBytes(bytes.length, name, limits);
        ImageFormat format;
        BufferedImage img;
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DataException(Reason.CORRUPT, name + " is not an image (expected " + names(limits) + ")");
            }
            ImageReader reader = readers.next();
            try {
                String found = reader.getFormatName();
                format = ImageFormat.ofImageIoName(found).filter(limits.formats()::contains).orElseThrow(
                        () -> new DataException(Reason.UNSUPPORTED_FORMAT, name + " is a " + found.toUpperCase(Locale.ROOT)
                                + " image; only " + names(limits) + " images are accepted"));
                if (format == ImageFormat.BMP) {
                    checkBmpHeader(bytes, name, limits);
                }
                reader.setInput(in, true, true);
                checkPixels(reader.getWidth(0), reader.getHeight(0), name, limits);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                img = reader.read(0);
                // the JPEG decoder fills missing scan data with grey and only warns: refuse that image
                warnings.stream().filter(w -> w.toLowerCase(Locale.ROOT).contains("premature end")).findFirst()
                        .ifPresent(w -> {
                    throw new DataException(Reason.CORRUPT, name + " is truncated (" + w.trim() + ")");
                });
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DataException de) {
                throw de;
            }
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (why.contains("Unsupported Image Type")) { // CMYK and YCCK JPEGs
                throw new DataException(Reason.UNSUPPORTED_FORMAT, name + " uses a colour model that cannot be"
                        + " decoded (" + why + "); save it as an RGB image", e);
            }
            throw new DataException(Reason.CORRUPT, name + " cannot be decoded; it may be truncated or corrupt ("
                    + why + ")", e);
        }
        Image out = toImage(img);
        return format == ImageFormat.JPEG ? ExifOrientation.apply(out, ExifOrientation.ofJpeg(bytes)) : out;
    }

    private static void checkBytes(long size, String name, ImageLimits limits) {
        if (size == 0) {
            throw new DataException(Reason.CORRUPT, name + " is empty (0 bytes)");
        }
        if (size > limits.maxBytes()) {
            throw new DataException(Reason.TOO_LARGE_BYTES, String.format(Locale.ROOT,
                    "%s is %,d bytes, more than the limit of %,d bytes (--max-bytes)", name, size, limits.maxBytes()));
        }
    }

    /**
     * The JDK's BMP reader builds its sample model already in {@code getWidth} and fails there on more
     * than 2³¹ pixels, so BMP dimensions are read from the file header (BITMAPCOREHEADER or
     * BITMAPINFOHEADER and its successors; a negative height means top-down rows).
     */
    private static void checkBmpHeader(byte[] b, String name, ImageLimits limits) {
        if (b.length < 26) {
            return; // too short to hold a size: the reader reports it as corrupt
        }
        ByteBuffer header = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        boolean core = header.getInt(14) == 12;
        long width = core ? header.getShort(18) & 0xFFFF : header.getInt(18);
        long height = core ? header.getShort(20) & 0xFFFF : Math.abs((long) header.getInt(22));
        checkPixels(width, height, name, limits);
    }

    private static void checkPixels(long width, long height, String name, ImageLimits limits) {
        if (width < 1 || height < 1) {
            throw new DataException(Reason.CORRUPT, name + " declares an empty image (" + width + "×" + height + ")");
        }
        long pixels = width * height;
        if (pixels > limits.maxPixels()) {
            throw new DataException(Reason.TOO_MANY_PIXELS, String.format(Locale.ROOT,
                    "%s is %d×%d = %,d pixels, more than the limit of %,d pixels (--max-pixels)", name, width, height,
                    pixels, limits.maxPixels()));
        }
    }

    private static String names(ImageLimits limits) {
        return limits.formats().stream().sorted().map(Enum::name).collect(Collectors.joining(", "));
    }

    /** Converts a decoded image to 3×H×W floats following the rules in the class comment. */
    static Image toImage(BufferedImage img) {
        int h = img.getHeight();
        int w = img.getWidth();
        int plane = h * w;
        float[] out = new float[3 * plane];
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        float[] rgba = new float[4];
        int bands = r.getNumBands();
        int colorType = cm.getColorSpace().getType();
        boolean raw = !(cm instanceof IndexColorModel)
                && (colorType == ColorSpace.TYPE_RGB && cm.getNumColorComponents() == 3
                        || colorType == ColorSpace.TYPE_GRAY && cm.getNumColorComponents() == 1);
        float[] max = new float[bands];
        for (int b = 0; b < bands; b++) {
            max[b] = (float) ((1L << r.getSampleModel().getSampleSize(b)) - 1);
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (cm instanceof IndexColorModel icm) {
                    int idx = r.getSample(x, y, 0);
                    rgba[0] = icm.getRed(idx) / 255f;
                    rgba[1] = icm.getGreen(idx) / 255f;
                    rgba[2] = icm.getBlue(idx) / 255f;
                    rgba[3] = icm.getAlpha(idx) / 255f;
                } else if (raw) {
                    int colours = cm.getNumColorComponents();
                    for (int c = 0; c < 3; c++) {
                        int b = colours == 1 ? 0 : c;
                        rgba[c] = r.getSample(x, y, b) / max[b];
                    }
                    rgba[3] = cm.hasAlpha() ? r.getSample(x, y, colours) / max[colours] : 1f;
                    if (cm.isAlphaPremultiplied() && rgba[3] > 0) {
                        for (int c = 0; c < 3; c++) {
                            rgba[c] = Math.min(1f, rgba[c] / rgba[3]);
                        }
                    }
                } else {
                    int argb = img.getRGB(x, y);
                    rgba[0] = ((argb >> 16) & 0xFF) / 255f;
                    rgba[1] = ((argb >> 8) & 0xFF) / 255f;
                    rgba[2] = (argb & 0xFF) / 255f;
                    rgba[3] = ((argb >>> 24) & 0xFF) / 255f;
                }
                int p = y * w + x;
                for (int c = 0; c < 3; c++) {
                    out[c * plane + p] = rgba[3] == 1f ? rgba[c] : rgba[c] * rgba[3] + (1f - rgba[3]);
                }
            }
        }
        return new Image(3, h, w, out);
    }

    /**
     * Encodes as a lossless 8-bit RGB PNG: each value v becomes {@code round(v·255)} clamped to
     * [0,255]; a 1-channel image is written as grey RGB.
     */
    public static byte[] toPngBytes(Image img) {
        if (img.channels() != 1 && img.channels() != 3) {
            throw new DataException("only 1- or 3-channel images can be written as PNG, not " + img.channels());
        }
        int h = img.height();
        int w = img.width();
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = 0;
                for (int c = 0; c < 3; c++) {
                    rgb = (rgb << 8) | to8bit(img.get(img.channels() == 1 ? 0 : c, y, x));
                }
                bi.setRGB(x, y, rgb);
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(3 * h * w / 2 + 1024);
        try {
            if (!ImageIO.write(bi, "png", bytes)) {
                throw new IllegalStateException("this JVM has no PNG writer");
            }
        } catch (IOException e) {
            throw new DataException("could not encode a PNG image: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    /** Writes {@link #toPngBytes} to {@code file} atomically (temporary file, then move). */
    public static void writePng(Path file, Image img) {
        byte[] png = toPngBytes(img);
        try {
            AtomicFiles.write(file, out -> out.write(png));
        } catch (IOException e) {
            throw new DataException("could not write " + file + ": " + e.getMessage(), e);
        }
    }

    private static int to8bit(float v) {
        int q = Math.round(v * 255f);
        return q < 0 ? 0 : Math.min(q, 255);
    }
}

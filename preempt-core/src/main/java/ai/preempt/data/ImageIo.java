package ai.preempt.data;

import ai.preempt.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.color.ColorSpace;
import java.io.ByteArrayOutputStream;
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
 * Decodes PNG, JPEG and BMP files to RGB {@link Image}s in [0,1] and encodes images as 8-bit RGB PNG.
 *
 * <p>Decoding rules: samples are scaled by their own bit depth (a 16-bit sample is divided by 65535,
 * not truncated to 8 bits); greyscale is replicated to three channels, using the stored grey values
 * as they are; palette images are looked up to RGB; an alpha channel is composited onto white
 * ({@code c·a + (1−a)}), since the models take opaque images. Other colour spaces are converted to sRGB
 * at 8 bits.
 */
public final class ImageIo {

    private static final Set<String> FORMATS = Set.of("png", "jpeg", "bmp");

    private ImageIo() {}

    /**
     * @param file a PNG, JPEG or BMP file
     * @return a 3×H×W image in [0,1]
     * @throws DataException when the file is missing, empty, of another format, or corrupt
     */
    public static Image read(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new DataException("image file " + file + " does not exist or cannot be read", e);
        }
        if (size == 0) {
            throw new DataException("image file " + file + " is empty (0 bytes)");
        }
        BufferedImage img;
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new DataException("image file " + file + " cannot be opened");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            ImageReader reader = readers.hasNext() ? readers.next() : null;
            String format = reader == null ? null : reader.getFormatName().toLowerCase(Locale.ROOT);
            if (reader == null || !FORMATS.contains(format)) {
                throw new DataException(file + " is not a PNG, JPEG or BMP image"
                        + (format == null ? "" : " (it looks like " + format.toUpperCase(Locale.ROOT) + ")"));
            }
            try {
                reader.setInput(in, true, true);
                img = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DataException de) {
                throw de;
            }
            throw new DataException("image file " + file + " cannot be decoded; it may be truncated or corrupt ("
                    + e.getMessage() + ")", e);
        }
        return toImage(img);
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

package ai.preempt.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.preempt.threat.Norm;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * A JPEG re-encode at quality q, as a server that stores uploads as JPEG does it.
 *
 * <p>Forward: the real codec. Each image is rounded to 8 bits, encoded by the JDK's baseline JPEG writer
 * ({@code javax.imageio}, quality q/100, its default chroma subsampling and tables; deterministic: the same
 * pixels always give the same bytes) and decoded again.
 *
 * <p>Backward: straight-through, i.e. the stage computes x + stopGradient(jpeg(x) − x), whose Jacobian is the
 * identity. This is BPDA (Athalye, Carlini &amp; Wagner, 2018): the value is exact, the gradient approximates
 * the codec's (piecewise-constant, almost everywhere zero) derivative by that of the identity, which is what
 * JPEG approximately is. Attacks and robustification through this stage therefore use the true forward pass
 * and an approximate gradient; results are reported as BPDA.
 */
public final class Jpeg implements Stage {

    private final int quality;

    /**
     * @param quality 1..100
     * @throws IllegalArgumentException otherwise
     */
    public Jpeg(int quality) {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("jpeg quality must lie in 1..100, got " + quality);
        }
        this.quality = quality;
    }

    /** @return q */
    public int quality() {
        return quality;
    }

    @Override
    public NDArray apply(NDArray x) {
        Shape s = x.getShape();
        int n = (int) s.get(0);
        int c = (int) s.get(1);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        if (c != 1 && c != 3) {
            throw new IllegalArgumentException("jpeg takes 1- or 3-channel images, not " + c);
        }
        float[] pixels;
        try (NDArray detached = x.stopGradient()) {
            pixels = detached.toFloatArray();
        }
        int plane = c * h * w;
        float[] out = new float[pixels.length];
        for (int i = 0; i < n; i++) {
            roundTrip(pixels, out, i * plane, c, h, w);
        }
        try (NDArray coded = x.getManager().create(out, s);
                NDArray constant = x.stopGradient();
                NDArray diff = coded.sub(constant)) {
            return x.add(diff); // value jpeg(x), Jacobian identity
        }
    }

    /** Encodes and decodes one C×H×W image at {@code off} of {@code in} into the same place of {@code out}. */
    private void roundTrip(float[] in, float[] out, int off, int c, int h, int w) {
        int plane = h * w;
        BufferedImage bi = new BufferedImage(w, h, c == 3 ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                if (c == 3) {
                    bi.setRGB(x, y, level(in[off + p]) << 16 | level(in[off + plane + p]) << 8 | level(in[off + 2 * plane + p]));
                } else {
                    bi.getRaster().setSample(x, y, 0, level(in[off + p]));
                }
            }
        }
        BufferedImage back = decode(encode(bi));
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                if (c == 3) {
                    int rgb = back.getRGB(x, y);
                    out[off + p] = ((rgb >> 16) & 255) / 255f;
                    out[off + plane + p] = ((rgb >> 8) & 255) / 255f;
                    out[off + 2 * plane + p] = (rgb & 255) / 255f;
                } else {
                    out[off + p] = back.getRaster().getSample(x, y, 0) / 255f;
                }
            }
        }
    }

    private static int level(float v) {
        int q = Math.round(v * 255f);
        return q < 0 ? 0 : Math.min(q, 255);
    }

    private byte[] encode(BufferedImage bi) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality / 100f);
            writer.write(null, new IIOImage(bi, null, null), p);
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory JPEG encoding failed", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static BufferedImage decode(byte[] jpeg) {
        try {
            return ImageIO.read(new ByteArrayInputStream(jpeg));
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory JPEG decoding failed", e);
        }
    }

    @Override
    public int[] outputSize(int[] in) {
        return in.clone();
    }

    @Override
    public double gain(Norm norm, int[] size) {
        return Double.POSITIVE_INFINITY;
    }

    @Override
    public String spec() {
        return "jpeg=" + quality;
    }

    @Override
    public String toString() {
        return spec();
    }
}

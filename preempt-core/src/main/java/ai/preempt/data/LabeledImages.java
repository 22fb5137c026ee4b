package ai.preempt.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.PreemptEngine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An immutable, compact set of labelled images: uint8 CHW pixels, int labels, class names and the
 * image shape. Views made by {@link #subset}, {@link #head} and {@link #shuffled} share the pixel bytes
 * and remember each image's index in the original set ({@link #index(int)}), so reports can name it.
 */
public final class LabeledImages {

    /** A half-open range {@code [from, to)} of positions, e.g. one batch. */
    public record Range(int from, int to) {
        /** @return {@code to - from} */
        public int size() {
            return to - from;
        }
    }

    private final byte[] pixels; // backing store: all original images, CHW each
    private final int[] labels; // backing store labels, by original index
    private final int[] rows; // position -> original index
    private final List<String> classes;
    private final int channels;
    private final int height;
    private final int width;

    private LabeledImages(byte[] pixels, int[] labels, int[] rows, List<String> classes, int c, int h, int w) {
        this.pixels = pixels;
        this.labels = labels;
        this.rows = rows;
        this.classes = classes;
        this.channels = c;
        this.height = h;
        this.width = w;
    }

    /**
     * Builds a set from raw data; the arrays are copied.
     *
     * @param chwBytes N×C×H×W uint8 pixels, image after image
     * @param labels N labels, each in {@code [0, classes.size())}
     * @param classes class names
     * @param channels C
     * @param height H
     * @param width W
     */
    public static LabeledImages of(byte[] chwBytes, int[] labels, List<String> classes, int channels, int height,
            int width) {
        return wrap(chwBytes.clone(), labels.clone(), List.copyOf(classes), channels, height, width);
    }

    /** Like {@link #of} without copying; for readers in this package that hand over fresh arrays. */
    static LabeledImages wrap(byte[] chwBytes, int[] labels, List<String> classes, int c, int h, int w) {
        long per = (long) c * h * w;
        if (per <= 0 || chwBytes.length != per * labels.length) {
            throw new IllegalArgumentException(chwBytes.length + " pixel bytes do not hold " + labels.length
                    + " images of " + c + "×" + h + "×" + w);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes.size()) {
                throw new DataException("image " + i + " has label " + labels[i] + " but there are only "
                        + classes.size() + " classes");
            }
        }
        int[] rows = new int[labels.length];
        Arrays.setAll(rows, i -> i);
        return new LabeledImages(chwBytes, labels, rows, classes, c, h, w);
    }

    /**
     * @param transform maps each image to one of a common size (e.g. an upscaled photo)
     * @return the transformed images, rounded to 8 bits, with the same labels, in the same order
     */
    public LabeledImages map(java.util.function.UnaryOperator<Image> transform) {
        int n = size();
        if (n == 0) {
            return this;
        }
        byte[] out = null;
        int[] shape = null;
        int[] newLabels = new int[n];
        for (int i = 0; i < n; i++) {
            Image im = transform.apply(image(i));
            if (out == null) {
                shape = new int[] {im.channels(), im.height(), im.width()};
                out = new byte[n * im.chw().length];
            } else if (im.channels() != shape[0] || im.height() != shape[1] || im.width() != shape[2]) {
                throw new IllegalArgumentException("the transform made images of different sizes");
            }
            int per = im.chw().length;
            for (int k = 0; k < per; k++) {
                out[i * per + k] = (byte) Math.max(0, Math.min(255, Math.round(im.chw()[k] * 255f)));
            }
            newLabels[i] = label(i);
        }
        return wrap(out, newLabels, classes, shape[0], shape[1], shape[2]);
    }

    private LabeledImages view(int[] newRows) {
        return new LabeledImages(pixels, labels, newRows, classes, channels, height, width);
    }

    /** @return the number of images */
    public int size() {
        return rows.length;
    }

    /** @return the label of the image at position {@code i} */
    public int label(int i) {
        return labels[rows[i]];
    }

    /** @return the index in the original set of the image at position {@code i} */
    public int index(int i) {
        return rows[i];
    }

    /** @return the original index of every image, by position (a copy) */
    public int[] indices() {
        return rows.clone();
    }

    /** @return the class names; label {@code k} is {@code classes().get(k)} */
    public List<String> classes() {
        return classes;
    }

    /** @return {C, H, W} */
    public int[] imageShape() {
        return new int[] {channels, height, width};
    }

    private int pixelsPerImage() {
        return channels * height * width;
    }

    /** @return the image at position {@code i} as floats in [0,1] */
    public Image image(int i) {
        int per = pixelsPerImage();
        float[] out = new float[per];
        int base = rows[i] * per;
        for (int k = 0; k < per; k++) {
            out[k] = (pixels[base + k] & 0xFF) / 255f;
        }
        return new Image(channels, height, width, out);
    }

    /**
     * A seeded random subset without replacement, kept in original order. The same seed always picks
     * the same images.
     *
     * @param n how many, in {@code [1, size()]}
     */
    public LabeledImages subset(int n, long seed) {
        checkCount(n, "subset");
        int[] pos = new int[size()];
        Arrays.setAll(pos, i -> i);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) { // partial Fisher–Yates
            int j = i + rnd.nextInt(pos.length - i);
            int t = pos[i];
            pos[i] = pos[j];
            pos[j] = t;
        }
        int[] chosen = Arrays.copyOf(pos, n);
        Arrays.sort(chosen);
        int[] newRows = new int[n];
        for (int i = 0; i < n; i++) {
            newRows[i] = rows[chosen[i]];
        }
        return view(newRows);
    }

    /** @return the first {@code n} images, {@code n} in {@code [1, size()]} */
    public LabeledImages head(int n) {
        checkCount(n, "head");
        return view(Arrays.copyOf(rows, n));
    }

    /** @return images {@code from} (inclusive) to {@code to} (exclusive) of this view, in order */
    public LabeledImages slice(int from, int to) {
        if (from < 0 || to > rows.length || from >= to) {
            throw new DataException("cannot take images " + from + ".." + to + " of " + rows.length);
        }
        return view(Arrays.copyOfRange(rows, from, to));
    }

    /** @return all images in a seeded random order (e.g. one training epoch) */
    public LabeledImages shuffled(long seed) {
        int[] newRows = rows.clone();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = newRows.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = newRows[i];
            newRows[i] = newRows[j];
            newRows[j] = t;
        }
        return view(newRows);
    }

    private void checkCount(int n, String what) {
        if (n <= 0) {
            throw new DataException("the number of images must be at least 1, got " + n);
        }
        if (n > size()) {
            throw new DataException("cannot take " + n + " images (" + what + ") from a set of " + size());
        }
    }

    /** @return how many images carry each label, indexed by label */
    public int[] countsPerClass() {
        int[] counts = new int[classes.size()];
        for (int r : rows) {
            counts[labels[r]]++;
        }
        return counts;
    }

    /**
     * @param batchSize at least 1
     * @return consecutive ranges covering all positions; the last one may be shorter
     */
    public List<Range> batchRanges(int batchSize) {
        if (batchSize < 1) {
            throw new DataException("the batch size must be at least 1, got " + batchSize);
        }
        List<Range> out = new ArrayList<>();
        for (int from = 0; from < size(); from += batchSize) {
            out.add(new Range(from, Math.min(size(), from + batchSize)));
        }
        return out;
    }

    private void checkRange(int from, int to) {
        if (from < 0 || to > size() || from >= to) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of " + size() + " images");
        }
    }

    /**
     * @return images {@code [from, to)} as a float32 (to−from)×C×H×W array with values byte/255, owned by
     *     {@code manager}
     */
    public NDArray images(NDManager manager, int from, int to) {
        checkRange(from, to);
        int per = pixelsPerImage();
        float[] out = new float[(to - from) * per];
        for (int i = from; i < to; i++) {
            int src = rows[i] * per;
            int dst = (i - from) * per;
            for (int k = 0; k < per; k++) {
                out[dst + k] = (pixels[src + k] & 0xFF) / 255f;
            }
        }
        return PreemptEngine.call(() -> manager.create(out, new Shape(to - from, channels, height, width)));
    }

    /** @return labels {@code [from, to)} as an int64 array owned by {@code manager} */
    public NDArray labels(NDManager manager, int from, int to) {
        checkRange(from, to);
        long[] out = new long[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = labels[rows[i]];
        }
        return PreemptEngine.call(() -> manager.create(out));
    }

    @Override
    public String toString() {
        return "LabeledImages[" + size() + " × " + channels + "×" + height + "×" + width + ", "
                + classes.size() + " classes]";
    }
}

package ai.preempt.data;

/**
 * Resizing and cropping of {@link Image}s.
 *
 * <p>{@link #resize} is bilinear with pixel centres at half-integers; when shrinking, the triangle
 * filter is widened by the scale factor (as in Pillow), which averages over the covered area and so
 * avoids aliasing. The default way to adapt a user's image to a model's input is
 * {@link #DEFAULT_POLICY}: centre-crop to the model's aspect ratio (a square for CIFAR models), then
 * resize.
 */
public final class Resize {

    /** How to make an image fit a model's input size. */
    public enum Policy {
        /** Resize to the target size, distorting the aspect ratio if it differs. */
        RESIZE,
        /** Centre-crop to the target aspect ratio, then resize. */
        CENTER_CROP_THEN_RESIZE,
        /** Accept only images already of the target size. */
        REJECT
    }

    /** The policy for users who do not choose one. */
    public static final Policy DEFAULT_POLICY = Policy.CENTER_CROP_THEN_RESIZE;

    private Resize() {}

    /** @return {@code img} resized to h×w (the same object when it already has that size) */
    public static Image resize(Image img, int h, int w) {
        checkSize(h, w);
        if (img.height() == h && img.width() == w) {
            return img;
        }
        Filter fy = new Filter(img.height(), h);
        Filter fx = new Filter(img.width(), w);
        int c = img.channels();
        int inH = img.height();
        int inW = img.width();
        float[] src = img.chw();
        float[] tmp = new float[c * inH * w]; // rows resized horizontally
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < inH; y++) {
                int row = (ch * inH + y) * inW;
                for (int x = 0; x < w; x++) {
                    tmp[(ch * inH + y) * w + x] = fx.apply(src, row, 1, x);
                }
            }
        }
        float[] out = new float[c * h * w];
        for (int ch = 0; ch < c; ch++) {
            for (int x = 0; x < w; x++) {
                int col = ch * inH * w + x;
                for (int y = 0; y < h; y++) {
                    out[(ch * h + y) * w + x] = fy.apply(tmp, col, w, y);
                }
            }
        }
        return new Image(c, h, w, out);
    }

    /**
     * @return the centred h×w window of {@code img}
     * @throws DataException when the image is smaller than h×w
     */
    public static Image centerCrop(Image img, int h, int w) {
        checkSize(h, w);
        if (h > img.height() || w > img.width()) {
            throw new DataException("cannot crop " + h + "×" + w + " from an image of " + img.height() + "×"
                    + img.width());
        }
        if (h == img.height() && w == img.width()) {
            return img;
        }
        int top = (img.height() - h) / 2;
        int left = (img.width() - w) / 2;
        float[] out = new float[img.channels() * h * w];
        for (int c = 0; c < img.channels(); c++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(img.chw(), (c * img.height() + top + y) * img.width() + left, out,
                        (c * h + y) * w, w);
            }
        }
        return new Image(img.channels(), h, w, out);
    }

    /** {@link #fit(Image, String, int, int, Policy)} with the image called "the image". */
    public static Image fit(Image img, int h, int w, Policy policy) {
        return fit(img, "the image", h, w, policy);
    }

    /**
     * Makes {@code img} exactly h×w following {@code policy}.
     *
     * @param name how to call the image in an error message (e.g. its file name)
     * @throws DataException under {@link Policy#REJECT} when the size differs
     */
    public static Image fit(Image img, String name, int h, int w, Policy policy) {
        checkSize(h, w);
        if (img.height() == h && img.width() == w) {
            return img;
        }
        return switch (policy) {
            case RESIZE -> resize(img, h, w);
            case CENTER_CROP_THEN_RESIZE -> {
                // the largest centred window with the target aspect ratio h:w
                long cropH = Math.min(img.height(), (long) img.width() * h / w);
                long cropW = Math.min(img.width(), (long) img.height() * w / h);
                yield resize(centerCrop(img, (int) Math.max(1, cropH), (int) Math.max(1, cropW)), h, w);
            }
            case REJECT -> throw new DataException("image " + name + " is " + img.height() + "×" + img.width()
                    + " but the model takes " + h + "×" + w + "; allow resizing or pass an image of that size");
        };
    }

    private static void checkSize(int h, int w) {
        if (h < 1 || w < 1) {
            throw new DataException("the target size must be positive, got " + h + "×" + w);
        }
    }

    /** Precomputed 1-D weights: output i reads inputs first[i] .. first[i]+weights[i].length-1. */
    private static final class Filter {
        private final int[] first;
        private final float[][] weights;

        Filter(int in, int out) {
            double scale = (double) in / out;
            double support = Math.max(1.0, scale); // widened when shrinking: antialiasing
            first = new int[out];
            weights = new float[out][];
            for (int i = 0; i < out; i++) {
                double centre = (i + 0.5) * scale;
                int lo = Math.max(0, (int) Math.floor(centre - support));
                int hi = Math.min(in - 1, (int) Math.ceil(centre + support));
                double[] wt = new double[hi - lo + 1];
                double sum = 0;
                for (int j = lo; j <= hi; j++) {
                    double d = Math.abs((j + 0.5 - centre) / support);
                    wt[j - lo] = Math.max(0, 1 - d);
                    sum += wt[j - lo];
                }
                if (sum == 0) { // cannot happen for in >= 1, but never divide by zero
                    wt = new double[] {1};
                    sum = 1;
                    lo = Math.min(in - 1, (int) centre);
                }
                first[i] = lo;
                weights[i] = new float[wt.length];
                for (int k = 0; k < wt.length; k++) {
                    weights[i][k] = (float) (wt[k] / sum);
                }
            }
        }

        /** @return the filtered value for output {@code i} from {@code a[base + stride·j]} */
        float apply(float[] a, int base, int stride, int i) {
            float[] wt = weights[i];
            int j0 = first[i];
            float acc = 0;
            for (int k = 0; k < wt.length; k++) {
                acc += wt[k] * a[base + (j0 + k) * stride];
            }
            return acc;
        }
    }
}

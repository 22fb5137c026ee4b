package ai.preempt.pipeline;

/**
 * One-dimensional resampling matrices (out × in, row-major): output i is Σ_j w[i][j]·input j. Every row is
 * non-negative and sums to 1, so each output is a convex combination of inputs.
 */
final class Weights {

    private Weights() {}

    /**
     * Bilinear with antialiasing, exactly as Pillow's {@code Image.resize(BILINEAR)} and torchvision's
     * {@code antialias=True} (ATen's {@code _upsample_bilinear2d_aa}) compute their coefficients: a triangle
     * filter whose support grows with the downscale factor s = in/out (support s when shrinking, 1 when
     * enlarging), centred at (i + 0.5)·s, sampled at input centres, each row normalised to sum 1.
     */
    static double[][] antialiased(int in, int out) {
        double scale = (double) in / out;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale; // the bilinear (triangle) filter has support 1
        double[][] w = new double[out][in];
        for (int i = 0; i < out; i++) {
            double centre = (i + 0.5) * scale;
            int lo = Math.max((int) (centre - support + 0.5), 0); // C's truncation, as Pillow and ATen
            int hi = Math.min((int) (centre + support + 0.5), in);
            double sum = 0;
            for (int j = lo; j < hi; j++) {
                double t = Math.abs((j - centre + 0.5) / filterScale);
                w[i][j] = t < 1 ? 1 - t : 0;
                sum += w[i][j];
            }
            for (int j = lo; j < hi && sum > 0; j++) {
                w[i][j] /= sum;
            }
        }
        return w;
    }

    /**
     * Plain bilinear interpolation, as {@code torch.nn.functional.interpolate(mode="bilinear",
     * align_corners=False)} and torchvision's {@code antialias=False}: source position (i + 0.5)·s − 0.5,
     * clamped at 0, and the two neighbouring inputs weighted linearly (the upper one clamped to the last).
     */
    static double[][] bilinear(int in, int out) {
        double scale = (double) in / out;
        double[][] w = new double[out][in];
        for (int i = 0; i < out; i++) {
            double src = Math.max(0, (i + 0.5) * scale - 0.5);
            int i0 = (int) src;
            int i1 = i0 < in - 1 ? i0 + 1 : i0;
            double l1 = src - i0;
            w[i][i0] += 1 - l1;
            w[i][i1] += l1;
        }
        return w;
    }

    /** @return max over rows of Σ|w| (the L∞ operator norm) */
    static double maxRowSum(double[][] w) {
        double m = 0;
        for (double[] row : w) {
            double s = 0;
            for (double v : row) {
                s += Math.abs(v);
            }
            m = Math.max(m, s);
        }
        return m;
    }

    /** @return max over columns of Σ|w| (the L1 operator norm) */
    static double maxColumnSum(double[][] w) {
        double m = 0;
        for (int j = 0; j < w[0].length; j++) {
            double s = 0;
            for (double[] row : w) {
                s += Math.abs(row[j]);
            }
            m = Math.max(m, s);
        }
        return m;
    }

    /** @return the matrix flattened row-major as float32, transposed when asked */
    static float[] flat(double[][] w, boolean transpose) {
        int r = w.length;
        int c = w[0].length;
        float[] f = new float[r * c];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                f[transpose ? j * r + i : i * c + j] = (float) w[i][j];
            }
        }
        return f;
    }
}

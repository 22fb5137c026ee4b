package ai.preempt.data;

/**
 * Perceptual distance between two images of the same shape (CHW floats in [0,1]): PSNR and SSIM
 * (Wang et al. 2004, 11×11 Gaussian window with σ = 1.5, K1 = 0.01, K2 = 0.03, averaged over channels;
 * windows are clipped at the borders).
 */
public final class ImageQuality {

    private static final int RADIUS = 5;
    private static final double[] WINDOW = gaussian(RADIUS, 1.5);

    private ImageQuality() {}

    /** @return peak signal-to-noise ratio in dB for peak 1 (infinity for identical images) */
    public static double psnr(float[] a, float[] b) {
        double mse = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            mse += d * d;
        }
        mse /= a.length;
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(1.0 / mse);
    }

    /** @return mean SSIM over channels and pixels */
    public static double ssim(float[] a, float[] b, int channels, int height, int width) {
        final double c1 = 1e-4; // (0.01·1)²
        final double c2 = 9e-4; // (0.03·1)²
        double total = 0;
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            int off = c * plane;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double wsum = 0;
                    double ma = 0;
                    double mb = 0;
                    double saa = 0;
                    double sbb = 0;
                    double sab = 0;
                    for (int dy = -RADIUS; dy <= RADIUS; dy++) {
                        int yy = y + dy;
                        if (yy < 0 || yy >= height) {
                            continue;
                        }
                        for (int dx = -RADIUS; dx <= RADIUS; dx++) {
                            int xx = x + dx;
                            if (xx < 0 || xx >= width) {
                                continue;
                            }
                            double w = WINDOW[dy + RADIUS] * WINDOW[dx + RADIUS];
                            double va = a[off + yy * width + xx];
                            double vb = b[off + yy * width + xx];
                            wsum += w;
                            ma += w * va;
                            mb += w * vb;
                            saa += w * va * va;
                            sbb += w * vb * vb;
                            sab += w * va * vb;
                        }
                    }
                    ma /= wsum;
                    mb /= wsum;
                    double va = saa / wsum - ma * ma;
                    double vb = sbb / wsum - mb * mb;
                    double cov = sab / wsum - ma * mb;
                    total += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
                }
            }
        }
        return total / (channels * (double) plane);
    }

    private static double[] gaussian(int r, double sigma) {
        double[] w = new double[2 * r + 1];
        for (int i = -r; i <= r; i++) {
            w[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
        }
        return w;
    }
}

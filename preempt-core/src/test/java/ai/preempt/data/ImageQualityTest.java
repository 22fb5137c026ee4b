package ai.preempt.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ImageQualityTest {

    private static final int C = 3;
    private static final int H = 8;
    private static final int W = 8;

    /** a[i] = ((37 i) mod 101) / 100: a busy 3×8×8 image in [0,1]. */
    private static float[] busy() {
        float[] a = new float[C * H * W];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (((i * 37) % 101) / 100.0);
        }
        return a;
    }

    /** b[i] = clip(a[i] + 0.05 sin i, 0, 1). */
    private static float[] wobbled() {
        float[] b = new float[C * H * W];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) Math.min(1, Math.max(0, ((i * 37) % 101) / 100.0 + 0.05 * Math.sin(i)));
        }
        return b;
    }

    /** Values from tools/image_quality_fixture.py, an independent numpy implementation of the same definition. */
    @Test
    void psnrAndSsimMatchAnIndependentImplementation() {
        assertThat(ImageQuality.psnr(busy(), wobbled())).isCloseTo(29.134374124422, within(1e-6));
        assertThat(ImageQuality.ssim(busy(), wobbled(), C, H, W)).isCloseTo(0.992763943081, within(1e-9));
    }

    @Test
    void psnrOfAUniformShiftIsTenLogOfOneOverItsSquare() {
        float[] a = busy();
        float[] b = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i] + (i % 2 == 0 ? 0.1f : -0.1f);
        }
        assertThat(ImageQuality.psnr(a, b)).isCloseTo(20.0, within(1e-4));
        assertThat(ImageQuality.psnr(a, a.clone())).isInfinite();
    }

    /**
     * For constant images p and q all local variances vanish, so SSIM = (2pq + C1)/(p² + q² + C1) at every
     * pixel, window or no window; and an image is perfectly similar to itself.
     */
    @Test
    void ssimOfConstantImagesHasTheClosedFormAndOfIdenticalImagesIsOne() {
        float[] p = new float[C * H * W];
        float[] q = new float[C * H * W];
        java.util.Arrays.fill(p, 0.2f);
        java.util.Arrays.fill(q, 0.6f);
        double c1 = 1e-4;
        double expected = (2 * 0.2f * 0.6f + c1) / (0.2f * 0.2f + 0.6f * 0.6f + c1);
        assertThat(ImageQuality.ssim(p, q, C, H, W)).isCloseTo(expected, within(1e-6));
        assertThat(ImageQuality.ssim(busy(), busy(), C, H, W)).isCloseTo(1.0, within(1e-9));
    }
}

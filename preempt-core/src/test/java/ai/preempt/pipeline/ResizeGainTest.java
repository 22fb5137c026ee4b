package ai.preempt.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.threat.Norm;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * An L∞ perturbation of the photo never grows through the downscaler (antialiased or plain bilinear), checked
 * on random photos, sizes and perturbations; and the stated gains bound what is measured.
 */
class ResizeGainTest {

    @Test
    void linfPerturbationNeverGrowsThroughResizeOrCrop() {
        for (long seed = 0; seed < 12; seed++) {
            Random r = new Random(seed);
            int h = 8 + r.nextInt(60);
            int w = 8 + r.nextInt(60);
            int oh = 1 + r.nextInt(h);
            int ow = 1 + r.nextInt(w);
            String kernel = r.nextBoolean() ? "resize" : "resize-plain";
            String spec = kernel + "=" + oh + "x" + ow + ",crop=" + (1 + r.nextInt(oh)) + "x" + (1 + r.nextInt(ow));
            Pipeline p = Pipeline.parse(spec);
            double eps = 8 / 255.0;
            float[][] xs = new float[2][];
            xs[0] = new float[3 * h * w];
            xs[1] = new float[3 * h * w];
            for (int i = 0; i < xs[0].length; i++) {
                xs[0][i] = r.nextFloat();
                // the worst case for L∞ is a sign pattern at full size: ±eps everywhere
                xs[1][i] = xs[0][i] + (float) (r.nextBoolean() ? eps : -eps);
            }
            double grown = PreemptEngine.call(() -> {
                try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                    NDArray a = p.apply(m.create(xs[0], new Shape(1, 3, h, w)));
                    NDArray b = p.apply(m.create(xs[1], new Shape(1, 3, h, w)));
                    return a.sub(b).abs().max().getFloat();
                }
            });
            assertThat(grown).as("seed %d, %dx%d through %s", seed, h, w, spec).isLessThanOrEqualTo(eps + 1e-6);
            assertThat(p.split(Norm.LINF, new int[] {h, w}).gain()).as(spec).isCloseTo(1.0,
                    org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    @Test
    void l2GainBoundsTheOperatorNorm() {
        // power iteration on RᵀR gives ‖R‖₂; the stated gain must not be below it
        for (int[] io : new int[][] {{256, 32}, {256, 224}, {100, 37}, {32, 64}}) {
            for (Resize.Kernel k : Resize.Kernel.values()) {
                double[][] rw = k == Resize.Kernel.ANTIALIASED ? Weights.antialiased(io[0], io[1])
                        : Weights.bilinear(io[0], io[1]);
                double norm = spectralNorm(rw);
                double bound = Math.sqrt(Weights.maxRowSum(rw) * Weights.maxColumnSum(rw));
                assertThat(bound).as("%s %d→%d", k, io[0], io[1]).isGreaterThanOrEqualTo(norm - 1e-9);
                Resize s = Resize.to(io[1], io[1], k);
                assertThat(s.gain(Norm.L2, new int[] {io[0], io[0]})).isCloseTo(bound * bound,
                        org.assertj.core.data.Offset.offset(1e-9));
            }
        }
    }

    private static double spectralNorm(double[][] r) {
        int n = r[0].length;
        double[] v = new double[n];
        java.util.Arrays.fill(v, 1);
        double lambda = 0;
        for (int it = 0; it < 500; it++) {
            double[] u = new double[r.length];
            for (int i = 0; i < r.length; i++) {
                for (int j = 0; j < n; j++) {
                    u[i] += r[i][j] * v[j];
                }
            }
            double[] next = new double[n];
            for (int i = 0; i < r.length; i++) {
                for (int j = 0; j < n; j++) {
                    next[j] += r[i][j] * u[i];
                }
            }
            double s = 0;
            for (double d : next) {
                s += d * d;
            }
            s = Math.sqrt(s);
            lambda = s;
            for (int j = 0; j < n; j++) {
                v[j] = next[j] / s;
            }
        }
        return Math.sqrt(lambda);
    }
}

package ai.preempt.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.preempt.threat.Norm;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bilinear resizing as a linear map out = R_h · X · R_wᵀ per channel, with the 1-D matrices computed here
 * ({@link Weights}), so autograd's gradient is exact. Two kernels:
 * <ul>
 *   <li>{@link Kernel#ANTIALIASED} ({@code resize=}): Pillow's {@code BILINEAR} and torchvision's
 *       {@code antialias=True}; when shrinking, the triangle filter is widened by the scale factor, so every
 *       output averages the input area it covers.</li>
 *   <li>{@link Kernel#BILINEAR} ({@code resize-plain=}): torchvision's {@code antialias=False}
 *       ({@code interpolate(mode="bilinear", align_corners=False)}), two taps per axis.</li>
 * </ul>
 * Both kernels have non-negative rows summing to 1, so an output pixel is a convex combination of input
 * pixels: an L∞ perturbation never grows ({@link #gain} is 1). A kernel with negative lobes (bicubic, Lanczos)
 * would have max row Σ|w| &gt; 1 and could grow it. For L2, ‖R‖₂ ≤ √(‖R‖₁·‖R‖∞) = √(max column sum) per axis
 * and the 2-D map's bound is the product of the two axes'. Per axis that is, computed: antialiased 256→32 0.38,
 * 256→224 0.94, 640→32 0.24 (about 1/√s when shrinking by s); plain bilinear 256→32 0.71, 256→224 0.96,
 * 427→32 0.99; enlarging ×2 1.41 for both. So shrinking keeps an L2 perturbation from growing in every case
 * checked, enlarging can grow it, and {@link #gain} reports the bound for the sizes at hand.
 */
public final class Resize implements Stage {

    /** The interpolation kernel. */
    public enum Kernel {
        /** Triangle filter widened by the downscale factor (Pillow, torchvision antialias=True). */
        ANTIALIASED("resize"),
        /** Two-tap bilinear interpolation (torchvision antialias=False). */
        BILINEAR("resize-plain");

        private final String key;

        Kernel(String key) {
            this.key = key;
        }

        /** @return the pipeline-string key */
        public String key() {
            return key;
        }

        double[][] weights(int in, int out) {
            return this == ANTIALIASED ? Weights.antialiased(in, out) : Weights.bilinear(in, out);
        }
    }

    private final Size size;
    private final Kernel kernel;
    /** Weight matrices (flattened, float) by input size, output size and orientation; computed once each. */
    private final Map<List<Integer>, float[]> tables = new ConcurrentHashMap<>();

    Resize(Size size, Kernel kernel) {
        this.size = size;
        this.kernel = kernel;
    }

    /** @return a resize to h×w */
    public static Resize to(int h, int w, Kernel kernel) {
        return new Resize(new Size(h, w), kernel);
    }

    /** @return a resize of the shorter side to n, keeping the aspect ratio (torchvision's {@code Resize(n)}) */
    public static Resize shorterSide(int n, Kernel kernel) {
        return new Resize(new Size(n, 0), kernel);
    }

    /** @return {H, W} when the size is fixed (HxW), null when it depends on the input (shorter side N) */
    int[] fixedSize() {
        return size.single() ? null : new int[] {size.height(), size.width()};
    }

    /** @return N of a shorter-side resize, 0 for a fixed size */
    int shorterSide() {
        return size.single() ? size.height() : 0;
    }

    @Override
    public int[] outputSize(int[] in) {
        if (!size.single()) {
            return new int[] {size.height(), size.width()};
        }
        int n = size.height();
        int h = in[0];
        int w = in[1];
        // torchvision: new_long = int(size * long / short)
        return h <= w ? new int[] {n, (int) ((double) n * w / h)} : new int[] {(int) ((double) n * h / w), n};
    }

    @Override
    public NDArray apply(NDArray x) {
        Shape s = x.getShape();
        int inH = (int) s.get(2);
        int inW = (int) s.get(3);
        int[] out = outputSize(new int[] {inH, inW});
        NDArray y = x;
        if (out[1] != inW) {
            try (NDArray rwT = constant(x, inW, out[1], true)) {
                y = y.matMul(rwT); // N×C×H×W · W×W' → N×C×H×W'
            }
        }
        if (out[0] != inH) {
            try (NDArray rh = constant(x, inH, out[0], false)) {
                NDArray z = rh.matMul(y); // H'×H · N×C×H×W' (broadcast) → N×C×H'×W'
                if (y != x) {
                    y.close();
                }
                y = z;
            }
        }
        return y == x ? x.reshape(x.getShape()) : y; // a new array on the same autograd graph
    }

    /** Transposes {@link #apply}: g·R_w, then R_hᵀ·(that), per channel. */
    @Override
    public NDArray adjoint(NDArray g, int[] size) {
        int[] out = outputSize(size);
        NDArray y = g;
        if (out[0] != size[0]) {
            try (NDArray rhT = constant(g, size[0], out[0], true)) {
                y = rhT.matMul(y); // H×H' · N×C×H'×W' (broadcast) → N×C×H×W'
            }
        }
        if (out[1] != size[1]) {
            try (NDArray rw = constant(g, size[1], out[1], false)) {
                NDArray z = y.matMul(rw); // N×C×H×W' · W'×W → N×C×H×W
                if (y != g) {
                    y.close();
                }
                y = z;
            }
        }
        return y;
    }

    /**
     * @return the out×in weight matrix of one axis (in×out transposed), in PyTorch's own memory (see engine.Ops:
     *     autograd may keep it after the Java buffer is gone)
     */
    private NDArray constant(NDArray like, int in, int out, boolean transpose) {
        float[] flat = tables.computeIfAbsent(List.of(in, out, transpose ? 1 : 0),
                k -> Weights.flat(kernel.weights(in, out), transpose));
        Shape shape = transpose ? new Shape(in, out) : new Shape(out, in);
        try (NDArray tmp = like.getManager().create(flat, shape)) {
            return tmp.duplicate();
        }
    }

    @Override
    public double gain(Norm norm, int[] in) {
        int[] out = outputSize(in);
        double[][] rh = kernel.weights(in[0], out[0]);
        double[][] rw = kernel.weights(in[1], out[1]);
        if (norm == Norm.LINF) {
            return Weights.maxRowSum(rh) * Weights.maxRowSum(rw);
        }
        return Math.sqrt(Weights.maxRowSum(rh) * Weights.maxColumnSum(rh) * Weights.maxRowSum(rw)
                * Weights.maxColumnSum(rw));
    }

    @Override
    public String spec() {
        return kernel.key() + "=" + size;
    }

    @Override
    public String toString() {
        return spec();
    }
}

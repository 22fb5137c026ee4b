package ai.preempt.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.Classifier;
import ai.preempt.model.Losses;
import ai.preempt.threat.Norm;

/**
 * Square Attack (Andriushchenko et al., ECCV 2020): a score-based black-box random search that never
 * looks at gradients. It minimises the margin z_y − max_{i≠y} z_i and keeps a proposal only when the
 * margin drops. Each query changes one random square window whose side follows the schedule
 * p = p_init·2^{−m} at iterations 10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000 (optionally rescaled to
 * the query budget), side s = round(√(p·H·W)).
 *
 * <p>L∞: starts from vertical stripes ±ε; a proposal sets the window of every channel to ±2ε (clipped to
 * the ball). L2: starts from a grid of ±"pseudo-Gaussian" blocks on the ε-sphere; a proposal moves the
 * mass of a second window into the first, redrawn as a ±pseudo-Gaussian bump, and renormalises to ε.
 * Windows and signs are drawn per image from the attack's seeded stream. Images stop once fooled.
 */
public final class Square extends BaseAttack {

    private static final int[] SCHEDULE = {10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000};

    private final int queries;
    private final double pInit;
    private final boolean rescale;
    private final long seed;

    private Square(Builder b) {
        super("square", b);
        this.queries = b.queries;
        this.pInit = b.pInit;
        this.rescale = b.rescale;
        this.seed = b.seed;
    }

    /** @return a builder; {@link Builder#setThreat} is required */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the query budget per image */
    public int queries() {
        return queries;
    }

    /** The fraction of pixels a window covers at iteration {@code it}. */
    double p(int it) {
        int i = rescale ? (int) ((double) it / queries * 10000) : it;
        double p = pInit;
        for (int threshold : SCHEDULE) {
            if (i > threshold) {
                p /= 2;
            }
        }
        return p;
    }

    @Override
    public AttackResult perturb(Classifier f, NDArray x, NDArray y) {
        return PreemptEngine.call(() -> {
            Shape shape = x.getShape();
            int n = (int) shape.get(0);
            int c = (int) shape.get(1);
            int h = (int) shape.get(2);
            int w = (int) shape.get(3);
            int dim = c * h * w;
            Rng rng = Rng.forBatch(seed, x);
            Rng[] per = new Rng[n];
            for (int i = 0; i < n; i++) {
                per[i] = rng.split();
            }
            float[] x0 = x.toFloatArray();
            float[] best = new float[x0.length];
            long[] labels = PerImage.longs(y);
            float eps = (float) threat.eps();
            for (int i = 0; i < n; i++) {
                if (threat.norm() == Norm.LINF) {
                    initLinf(x0, best, i * dim, c, h, w, eps, per[i]);
                } else {
                    initL2(x0, best, i * dim, c, h, w, eps, per[i]);
                }
            }
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            float[] margin = margins(f, x, best, labels, all);
            float[] candidate = new float[dim];
            for (int it = 0; it < queries; it++) {
                int[] active = activeImages(margin);
                if (active.length == 0) {
                    break;
                }
                double p = p(it);
                float[] proposals = new float[active.length * dim];
                for (int k = 0; k < active.length; k++) {
                    int i = active[k];
                    if (threat.norm() == Norm.LINF) {
                        proposeLinf(x0, best, i * dim, candidate, c, h, w, eps, p, per[i]);
                    } else {
                        proposeL2(x0, best, i * dim, candidate, c, h, w, eps, p, per[i]);
                    }
                    System.arraycopy(candidate, 0, proposals, k * dim, dim);
                }
                float[] m = margins(f, x, proposals, labels, active);
                for (int k = 0; k < active.length; k++) {
                    int i = active[k];
                    if (m[k] < margin[i]) {
                        margin[i] = m[k];
                        System.arraycopy(proposals, k * dim, best, i * dim, dim);
                    }
                }
            }
            Outcome out = new Outcome(x, y);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                boolean[] fooled = new boolean[n];
                for (int i = 0; i < n; i++) {
                    fooled[i] = margin[i] <= 0;
                }
                out.record(all, x.getManager().create(best, shape), fooled);
            }
            return out.finish(f);
        });
    }

    private static int[] activeImages(float[] margin) {
        boolean[] a = new boolean[margin.length];
        for (int i = 0; i < margin.length; i++) {
            a[i] = margin[i] > 0;
        }
        return PerImage.indices(a);
    }

    /** Margins of the images in {@code flat} (one per entry of {@code which}), against their labels. */
    private static float[] margins(Classifier f, NDArray like, float[] flat, long[] labels, int[] which) {
        long[] ys = new long[which.length];
        for (int k = 0; k < which.length; k++) {
            ys[k] = labels[which[k]];
        }
        Shape shape = like.getShape();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray batch = like.getManager().create(flat, new Shape(which.length, shape.get(1), shape.get(2),
                    shape.get(3)));
            return Losses.margin(f.logits(batch), like.getManager().create(ys)).toFloatArray();
        }
    }

    /** Side of the window for a fraction p of the pixels, at least {@code min}, below the image side. */
    private static int side(double p, int h, int w, int min) {
        int s = (int) Math.round(Math.sqrt(p * h * w));
        return Math.max(min, Math.min(s, Math.min(h, w) - 1));
    }

    private static float clip(float v, float lo, float hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static float sign(Rng r) {
        return r.nextInt(2) == 0 ? -1f : 1f;
    }

    // ---- L∞ ----

    private static void initLinf(float[] x0, float[] best, int off, int c, int h, int w, float eps, Rng r) {
        for (int ch = 0; ch < c; ch++) {
            for (int col = 0; col < w; col++) {
                float s = sign(r) * eps;
                for (int row = 0; row < h; row++) {
                    int j = off + (ch * h + row) * w + col;
                    best[j] = clip(x0[j] + s, 0, 1);
                }
            }
        }
    }

    private static void proposeLinf(float[] x0, float[] best, int off, float[] out, int c, int h, int w, float eps,
            double p, Rng r) {
        System.arraycopy(best, off, out, 0, out.length);
        int s = side(p, h, w, 1);
        int vh = r.nextInt(h - s);
        int vw = r.nextInt(w - s);
        for (int ch = 0; ch < c; ch++) {
            float d = 2 * eps * sign(r);
            for (int row = vh; row < vh + s; row++) {
                for (int col = vw; col < vw + s; col++) {
                    int j = (ch * h + row) * w + col;
                    float lo = Math.max(0, x0[off + j] - eps);
                    float hi = Math.min(1, x0[off + j] + eps);
                    out[j] = clip(best[off + j] + d, lo, hi);
                }
            }
        }
    }

    // ---- L2 ----

    /**
     * The "pseudo-Gaussian" bump of side s: the top half holds +, the bottom half − nested rectangles with
     * weights 1/(k+1)², unit L2 norm; transposed with probability ½.
     */
    static float[] bump(int s, Rng r) {
        float[] top = rectangles(s / 2, s);
        float[] bottom = rectangles(s - s / 2, s);
        float[] d = new float[s * s];
        System.arraycopy(top, 0, d, 0, top.length);
        for (int i = 0; i < bottom.length; i++) {
            d[top.length + i] = -bottom[i];
        }
        normalise(d);
        if (r.nextDouble() > 0.5) {
            float[] t = new float[s * s];
            for (int i = 0; i < s; i++) {
                for (int j = 0; j < s; j++) {
                    t[j * s + i] = d[i * s + j];
                }
            }
            d = t;
        }
        return d;
    }

    private static float[] rectangles(int rows, int cols) {
        float[] d = new float[rows * cols];
        int xc = rows / 2 + 1;
        int yc = cols / 2 + 1;
        int c0 = xc - 1;
        int c1 = yc - 1;
        for (int k = 0; k < Math.max(xc, yc); k++) {
            for (int i = Math.max(c0, 0); i < Math.min(c0 + 2 * k + 1, rows); i++) {
                for (int j = Math.max(c1, 0); j < Math.min(c1 + 2 * k + 1, cols); j++) {
                    d[i * cols + j] += 1f / ((k + 1) * (k + 1));
                }
            }
            c0--;
            c1--;
        }
        normalise(d);
        return d;
    }

    private static void normalise(float[] d) {
        double s = 0;
        for (float v : d) {
            s += v * v;
        }
        float inv = (float) (1 / Math.sqrt(s + 1e-24));
        for (int i = 0; i < d.length; i++) {
            d[i] *= inv;
        }
    }

    /** Writes x0 + ε·δ/‖δ‖ clipped to [0,1] into {@code out} (δ is one image, offset 0). */
    private static void onSphere(float[] x0, int off, float[] delta, float eps, float[] out) {
        double s = 0;
        for (float v : delta) {
            s += v * v;
        }
        float scale = (float) (eps / (Math.sqrt(s) + 1e-12));
        for (int j = 0; j < delta.length; j++) {
            out[j] = clip(x0[off + j] + delta[j] * scale, 0, 1);
        }
    }

    private static void initL2(float[] x0, float[] best, int off, int c, int h, int w, float eps, Rng r) {
        int dim = c * h * w;
        float[] delta = new float[dim];
        int s = Math.max(h / 5, 1);
        int start = (h - s * 5) / 2;
        for (int bh = 0, vh = start; bh < h / s; bh++, vh += s) {
            for (int bw = 0, vw = start; bw < w / s; bw++, vw += s) {
                float[] g = bump(s, r);
                for (int ch = 0; ch < c; ch++) {
                    float sg = sign(r);
                    for (int i = 0; i < s && vh + i < h; i++) {
                        for (int j = 0; j < s && vw + j < w; j++) {
                            delta[(ch * h + vh + i) * w + vw + j] += g[i * s + j] * sg;
                        }
                    }
                }
            }
        }
        float[] out = new float[dim];
        onSphere(x0, off, delta, eps, out);
        System.arraycopy(out, 0, best, off, dim);
    }

    private static void proposeL2(float[] x0, float[] best, int off, float[] out, int c, int h, int w, float eps,
            double p, Rng r) {
        int dim = c * h * w;
        int s = side(p, h, w, 3);
        if (s % 2 == 0) {
            s = s + 1 < Math.min(h, w) ? s + 1 : s - 1;
        }
        float[] delta = new float[dim];
        double normImage = 0;
        for (int j = 0; j < dim; j++) {
            delta[j] = best[off + j] - x0[off + j];
            normImage += delta[j] * delta[j];
        }
        int vh = r.nextInt(h - s);
        int vw = r.nextInt(w - s);
        int vh2 = r.nextInt(h - s);
        int vw2 = r.nextInt(w - s);
        // mass currently in the union of both windows
        double windows = 0;
        for (int ch = 0; ch < c; ch++) {
            for (int row = 0; row < h; row++) {
                for (int col = 0; col < w; col++) {
                    boolean in1 = row >= vh && row < vh + s && col >= vw && col < vw + s;
                    boolean in2 = row >= vh2 && row < vh2 + s && col >= vw2 && col < vw2 + s;
                    if (in1 || in2) {
                        float v = delta[(ch * h + row) * w + col];
                        windows += v * v;
                    }
                }
            }
        }
        double target = Math.sqrt(Math.max(eps * eps - normImage, 0) / c + windows);
        float[][] blocks = new float[c][s * s];
        for (int ch = 0; ch < c; ch++) {
            float[] g = bump(s, r);
            float sg = sign(r);
            double old = 0;
            for (int i = 0; i < s; i++) {
                for (int j = 0; j < s; j++) {
                    float v = delta[(ch * h + vh + i) * w + vw + j];
                    old += v * v;
                }
            }
            float inv = (float) (1 / (Math.sqrt(old) + 1e-12));
            for (int i = 0; i < s; i++) {
                for (int j = 0; j < s; j++) {
                    blocks[ch][i * s + j] = g[i * s + j] * sg + delta[(ch * h + vh + i) * w + vw + j] * inv;
                }
            }
            normalise(blocks[ch]);
            for (int q = 0; q < s * s; q++) {
                blocks[ch][q] *= (float) target;
            }
        }
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < s; i++) {
                for (int j = 0; j < s; j++) {
                    delta[(ch * h + vh2 + i) * w + vw2 + j] = 0;
                }
            }
        }
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < s; i++) {
                for (int j = 0; j < s; j++) {
                    delta[(ch * h + vh + i) * w + vw + j] = blocks[ch][i * s + j];
                }
            }
        }
        onSphere(x0, off, delta, eps, out);
    }

    @Override
    public String toString() {
        return String.format("Square(%s, queries=%d, p_init=%.2f, loss=margin%s, seed=%d)", threat.describe(), queries,
                pInit, rescale ? ", rescaled schedule" : "", seed);
    }

    /** Builder with AutoAttack "standard"'s defaults: 5000 queries, p_init 0.8, schedule not rescaled. */
    public static final class Builder extends SeededBuilder<Builder, Square> {

        private int queries = 5000;
        private double pInit = 0.8;
        private boolean rescale;

        private Builder() {
            super("Square");
        }

        /** Query budget per image (default 5000). */
        public Builder optQueries(int q) {
            this.queries = Checks.atLeast(0, q, "queries must be at least 0");
            return this;
        }

        /** Initial fraction of pixels per window (default 0.8). */
        public Builder optPInit(double p) {
            if (!(p > 0 && p <= 1)) {
                throw new IllegalArgumentException("p_init must lie in (0, 1], got " + p);
            }
            this.pInit = p;
            return this;
        }

        /** Rescale the p schedule to the query budget as if it were 10,000 (default false, as AutoAttack). */
        public Builder optRescaleSchedule(boolean r) {
            this.rescale = r;
            return this;
        }

        @Override
        Square create() {
            return new Square(this);
        }
    }
}

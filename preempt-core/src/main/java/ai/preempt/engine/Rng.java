package ai.preempt.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Preempt's seeded random numbers. Values are drawn in Java from a {@link SplittableRandom}, so the same
 * seed gives the same numbers on every machine and thread count, independently of PyTorch's global
 * generator. {@link #split()} derives independent child streams (one per batch, restart, …).
 */
public final class Rng {

    private final SplittableRandom random;

    /** @param seed the seed; equal seeds give equal streams */
    public Rng(long seed) {
        this.random = new SplittableRandom(seed);
    }

    private Rng(SplittableRandom random) {
        this.random = random;
    }

    /** @return an independent child stream; the parent advances deterministically */
    public Rng split() {
        return new Rng(random.split());
    }

    /** @return a child stream determined by this stream's seed and {@code key} only */
    public static Rng forKey(long seed, long key) {
        return new Rng(new SplittableRandom(seed * 0x9E3779B97F4A7C15L + key).split());
    }

    /**
     * @return a stream determined by the seed and the content of the batch {@code x}, so that a batch draws
     *     the same numbers whatever was computed before it (and whatever batches came earlier)
     */
    public static Rng forBatch(long seed, ai.djl.ndarray.NDArray x) {
        long key = Scopes.keepAll(() -> {
            double s = x.sum().getFloat();
            double q = x.mul(x).sum().getFloat();
            return Double.doubleToLongBits(s) * 31 + Double.doubleToLongBits(q) + x.getShape().get(0);
        });
        return forKey(seed, key);
    }

    /** @return uniform in [lo, hi) as float32 of the given shape */
    public NDArray uniform(NDManager m, Shape shape, double lo, double hi) {
        float[] v = new float[Math.toIntExact(shape.size())];
        double w = hi - lo;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (lo + w * random.nextDouble());
        }
        return m.create(v, shape);
    }

    /** @return standard normal float32 of the given shape */
    public NDArray normal(NDManager m, Shape shape) {
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i += 2) {
            // Box–Muller: two normals from two uniforms
            double u1 = 1.0 - random.nextDouble();
            double u2 = random.nextDouble();
            double r = Math.sqrt(-2.0 * Math.log(u1));
            v[i] = (float) (r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < v.length) {
                v[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
            }
        }
        return m.create(v, shape);
    }

    /**
     * Fills {@code out[from, to)} with standard normals, fast enough for bulk noise (hundreds of millions
     * per second: the JDK's ziggurat sampler, {@code SplittableRandom.nextGaussian}). A different stream
     * from {@link #normal}; deterministic for a seed like every method here.
     */
    public void fillNormal(float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = (float) random.nextGaussian();
        }
    }

    /** @return a uniform int in [0, bound) */
    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** @return a uniform double in [0, 1) */
    public double nextDouble() {
        return random.nextDouble();
    }

    /** @return a uniform long */
    public long nextLong() {
        return random.nextLong();
    }
}

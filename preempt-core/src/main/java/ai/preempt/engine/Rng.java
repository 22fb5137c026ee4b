package ai.preempt.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Preempt's seeded random numbers. Values are drawn in Java from a {@link SplittableRandom}, so the same
 * seed gives the same numbers on every machine and thread count, independently of PyTorch's global
 * generator. {@link #split()} derives independent child streams (one per batch, restart, …).
 *
 * <p>Per-image streams ({@link #forImages}): the {@code *Like} draws give each image (row) of the batch numbers
 * determined by the seed, the number of draws so far and that image's own pixels only, so an image gets the
 * same numbers alone or inside any batch (the HTTP service batches unrelated uploads). Each image's key is
 * taken once from the batch the stream was made for (exact pixel values), not from the arrays drawn for later,
 * so float round-off elsewhere in a batch never changes an image's numbers; {@link #keepRows} follows a batch
 * that shrinks, {@link #append} one that grows (images joining a running batch keep their own draw counts) and
 * {@link #rows} draws for some rows only. On other streams the {@code *Like} draws equal
 * {@link #uniform}/{@link #normal}.
 */
public final class Rng {

    /** A plain stream's generator; null on a per-image stream. */
    private final SplittableRandom random;
    /** Per-image streams: one state per row of the current batch; null for a plain stream. */
    private Row[] rows;

    /**
     * One image's part of a per-image stream: its key (from its pixels) and its own copy of the stream's sequence
     * with the number of draws made from it. Images made together (or of one seed with as many draws) are in one
     * state, as one shared generator would be; an image that joins later starts at its own first draw.
     */
    private static final class Row {
        final long key;
        final SplittableRandom base;
        long draws;

        Row(long key, SplittableRandom base) {
            this.key = key;
            this.base = base;
        }
    }

    /** @param seed the seed; equal seeds give equal streams */
    public Rng(long seed) {
        this(new SplittableRandom(seed), null);
    }

    private Rng(SplittableRandom random, Row[] rows) {
        this.random = random;
        this.rows = rows;
    }

    /** @return an independent child stream of the same kind; the parent advances deterministically */
    public Rng split() {
        if (rows == null) {
            return new Rng(random.split(), null);
        }
        requireOneState();
        Row[] children = new Row[rows.length];
        for (int i = 0; i < rows.length; i++) {
            children[i] = new Row(rows[i].key, rows[i].base.split());
            rows[i].draws++;
        }
        return new Rng(null, children);
    }

    /**
     * @param seed the seed
     * @param images the batch (N×…) whose images the {@code *Like} draws serve, row by row
     * @return a per-image stream: each image's numbers depend on the seed, the draw count and the image itself,
     *     never on the other images of its batch
     */
    public static Rng forImages(long seed, NDArray images) {
        float[] values = images.getDataType() == DataType.FLOAT32 ? images.toFloatArray()
                : images.toType(DataType.FLOAT32, false).toFloatArray();
        int n = (int) images.getShape().get(0);
        int per = values.length / n;
        Row[] rows = new Row[n];
        for (int i = 0; i < n; i++) {
            long h = 0xCBF29CE484222325L; // FNV-1a over the exact values
            for (int j = i * per; j < (i + 1) * per; j++) {
                h = (h ^ Float.floatToIntBits(values[j])) * 0x100000001B3L;
            }
            rows[i] = new Row(h, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 0x5EED1A6EL).split());
        }
        return new Rng(null, rows);
    }

    /** Follows a shrinking batch: row i of the batch from now on is row {@code keep[i]} of the current one. */
    public void keepRows(int[] keep) {
        if (rows != null) {
            rows = rows(keep).rows;
        }
    }

    /**
     * @param keep rows (positions) of this per-image stream
     * @return a per-image stream of those rows, in order, sharing their state with this one: drawing from it
     *     advances those rows here too
     */
    public Rng rows(int[] keep) {
        requirePerImage();
        Row[] kept = new Row[keep.length];
        for (int i = 0; i < keep.length; i++) {
            kept[i] = rows[keep[i]];
        }
        return new Rng(null, kept);
    }

    /**
     * Follows a growing batch: the rows of {@code other} (a per-image stream, given up to this one) join after
     * this stream's rows, each with its own state, so an image draws the same numbers whenever it joined.
     */
    public void append(Rng other) {
        requirePerImage();
        other.requirePerImage();
        Row[] all = java.util.Arrays.copyOf(rows, rows.length + other.rows.length);
        System.arraycopy(other.rows, 0, all, rows.length, other.rows.length);
        rows = all;
    }

    private void requirePerImage() {
        if (rows == null) {
            throw new IllegalStateException("rows of a plain stream: only per-image streams (forImages) have rows");
        }
    }

    /** A draw shared by all rows needs them in one state: at least one row, all at the same draw count. */
    private void requireOneState() {
        if (rows.length == 0) {
            throw new IllegalStateException("a draw of a per-image stream without rows");
        }
        for (Row r : rows) {
            if (r.draws != rows[0].draws) {
                throw new IllegalStateException("a shared draw of rows at different draw counts");
            }
        }
    }

    /** One draw of the stream's own sequence, made by every row's copy (all in one state: the same value). */
    private <T> T shared(java.util.function.Function<SplittableRandom, T> draw) {
        requireOneState();
        T v = null;
        for (Row r : rows) {
            v = draw.apply(r.base);
            r.draws++;
        }
        return v;
    }

    /** @return uniform in [lo, hi) shaped like x (per image on a {@link #forImages} stream) */
    public NDArray uniformLike(NDArray x, double lo, double hi) {
        if (rows == null) {
            return uniform(x.getManager(), x.getShape(), lo, hi);
        }
        Rng[] rows = rowStreams(x);
        int per = (int) (x.getShape().size() / rows.length);
        float[] v = new float[rows.length * per];
        double w = hi - lo;
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < per; j++) {
                v[i * per + j] = (float) (lo + w * rows[i].random.nextDouble());
            }
        }
        return x.getManager().create(v, x.getShape());
    }

    /** @return standard normal shaped like x (per image on a {@link #forImages} stream) */
    public NDArray normalLike(NDArray x) {
        if (rows == null) {
            return normal(x.getManager(), x.getShape());
        }
        Rng[] rows = rowStreams(x);
        int per = (int) (x.getShape().size() / rows.length);
        float[] v = new float[rows.length * per];
        for (int i = 0; i < rows.length; i++) {
            float[] r = rows[i].normal(x.getManager(), new Shape(per)).toFloatArray();
            System.arraycopy(r, 0, v, i * per, per);
        }
        return x.getManager().create(v, x.getShape());
    }

    /** @return one uniform in [0, 1) per image (row) of x (per image on a {@link #forImages} stream) */
    public double[] uniformPerImage(NDArray x) {
        int n = (int) x.getShape().get(0);
        double[] v = new double[n];
        Rng[] streams = rows == null ? null : rowStreams(x);
        for (int i = 0; i < n; i++) {
            v[i] = streams == null ? nextDouble() : streams[i].random.nextDouble();
        }
        return v;
    }

    /** One draw of each row's copy of the stream, then one child stream per row from that draw and the row's key. */
    private Rng[] rowStreams(NDArray x) {
        int n = (int) x.getShape().get(0);
        if (n != rows.length) {
            throw new IllegalStateException("a per-image stream for " + rows.length + " images drew for " + n);
        }
        Rng[] streams = new Rng[n];
        for (int i = 0; i < n; i++) {
            streams[i] = new Rng(new SplittableRandom(rows[i].base.nextLong() ^ rows[i].key).split(), null);
            rows[i].draws++;
        }
        return streams;
    }

    /** @return a child stream determined by this stream's seed and {@code key} only */
    public static Rng forKey(long seed, long key) {
        return new Rng(new SplittableRandom(seed * 0x9E3779B97F4A7C15L + key).split(), null);
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
            v[i] = (float) (lo + w * nextDouble());
        }
        return m.create(v, shape);
    }

    /** @return standard normal float32 of the given shape */
    public NDArray normal(NDManager m, Shape shape) {
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i += 2) {
            // Box–Muller: two normals from two uniforms
            double u1 = 1.0 - nextDouble();
            double u2 = nextDouble();
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
            out[i] = (float) (random != null ? random.nextGaussian() : shared(SplittableRandom::nextGaussian));
        }
    }

    /** @return a uniform int in [0, bound) */
    public int nextInt(int bound) {
        return random != null ? random.nextInt(bound) : shared(r -> r.nextInt(bound));
    }

    /** @return a uniform double in [0, 1) */
    public double nextDouble() {
        return random != null ? random.nextDouble() : shared(SplittableRandom::nextDouble);
    }

    /** @return a uniform long */
    public long nextLong() {
        return random != null ? random.nextLong() : shared(SplittableRandom::nextLong);
    }
}

package ai.preempt.smoothing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.Rng;
import ai.preempt.model.Classifier;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Gaussian noise batches and vote counts shared by the smoothed classifiers; runs on the compute thread. */
final class Noise {

    /** Draws the next chunk's noise while the compute thread runs a forward pass; pure Java, no tensors. */
    private static final ExecutorService NOISE_THREAD = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "preempt-noise");
        t.setDaemon(true);
        return t;
    });

    private Noise() {}

    /** @return σ, checked to be positive and finite */
    static double checkSigma(double sigma) {
        if (!(sigma > 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("--sigma must be a positive number, got " + sigma);
        }
        return sigma;
    }

    /** @throws IllegalStateException when a smoothed classifier has no base classifier */
    static Classifier checkBase(Classifier base) {
        if (base == null) {
            throw new IllegalStateException("a smoothed classifier needs a base classifier");
        }
        return base;
    }

    /** @return a key determined by the exact pixel values of {@code x}, for seeding per-input streams */
    static long key(NDArray x) {
        float[] v = x.toFloatArray();
        return Arrays.hashCode(v) * 0x9E3779B97F4A7C15L + v.length;
    }

    /**
     * @param x N×C×H×W images
     * @param copies noisy copies of each image
     * @param buffer reused for the noise when large enough, may be null
     * @return (copies·N)×C×H×W images x + σ·z, copy-major (row c·N + i is copy c of image i); differentiable
     *     with respect to x
     */
    static NDArray noisy(NDArray x, int copies, double sigma, Rng rng, float[] buffer) {
        int len = Math.toIntExact(copies * x.getShape().size());
        float[] buf = buffer != null && buffer.length >= len ? buffer : new float[len];
        return addNoise(x, copies, fill(buf, len, sigma, rng));
    }

    /** Fills {@code buf[0, len)} with σ·z, z standard normal from {@code rng}; returns {@code buf}. */
    private static float[] fill(float[] buf, int len, double sigma, Rng rng) {
        rng.fillNormal(buf, 0, len);
        float sg = (float) sigma;
        for (int i = 0; i < len; i++) {
            buf[i] *= sg;
        }
        return buf;
    }

    /** @return x + noise as in {@link #noisy}, the noise taken from {@code buf} (copied; buf is free afterwards) */
    private static NDArray addNoise(NDArray x, int copies, float[] buf) {
        Shape s = x.getShape();
        int len = Math.toIntExact(copies * s.size());
        long[] dims = new long[s.dimension() + 1];
        dims[0] = copies;
        System.arraycopy(s.getShape(), 0, dims, 1, s.dimension());
        NDArray noise = x.getManager().create(FloatBuffer.wrap(buf, 0, len), new Shape(dims));
        long[] flat = s.getShape().clone();
        flat[0] = copies * s.get(0);
        return x.expandDims(0).add(noise).reshape(new Shape(flat));
    }

    /**
     * Counts the base classifier's labels on Gaussian copies of each image.
     *
     * @param f the base classifier
     * @param x N×C×H×W images
     * @param samples noisy copies per image
     * @param batch at most this many noisy images per forward pass (at least one copy of every image)
     * @return counts[i][k]: how many of image i's copies f labels k
     */
    static long[][] counts(Classifier f, NDArray x, double sigma, int samples, int batch, Rng rng) {
        int n = Math.toIntExact(x.getShape().get(0));
        int k = f.numClasses();
        long[][] counts = new long[n][k];
        int perChunk = Math.max(1, Math.min(samples, batch / Math.max(1, n)));
        int copyLength = Math.toIntExact(x.getShape().size()); // one noisy copy of every image
        // Drawing the noise in Java costs ~8% of a forward pass; the next chunk's noise is drawn on a helper
        // thread while this chunk's forward pass runs. The stream is consumed in the same order, so the
        // values (and the counts) are exactly those of drawing them inline.
        float[][] buffers = {new float[perChunk * copyLength], new float[perChunk * copyLength]};
        Future<float[]> next = NOISE_THREAD.submit(() -> fill(buffers[0],
                Math.min(perChunk, samples) * copyLength, sigma, rng));
        for (int done = 0, chunk = 0; done < samples; done += perChunk, chunk++) {
            int copies = Math.min(perChunk, samples - done);
            float[] current = await(next);
            int following = Math.min(perChunk, samples - done - copies);
            float[] spare = buffers[(chunk + 1) % 2];
            long[] labels;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray noisy = addNoise(x, copies, current);
                next = following > 0 ? NOISE_THREAD.submit(() -> fill(spare, following * copyLength, sigma, rng)) : null;
                labels = f.predict(noisy).toLongArray();
            }
            for (int j = 0; j < labels.length; j++) {
                counts[j % n][(int) labels[j]]++;
            }
        }
        return counts;
    }

    private static float[] await(Future<float[]> noise) {
        try {
            return noise.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while drawing noise", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("drawing noise failed", e.getCause());
        }
    }

    /** @return the index of the largest count, the lowest index among ties */
    static int argMax(long[] counts) {
        int best = 0;
        for (int c = 1; c < counts.length; c++) {
            if (counts[c] > counts[best]) {
                best = c;
            }
        }
        return best;
    }
}

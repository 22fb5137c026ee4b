package ai.preempt.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.Classifier;
import ai.preempt.smoothing.SmoothedClassifier;

/**
 * Certification throughput: noise samples per second through {@link SmoothedClassifier#certify}, against
 * plain forward passes per second of the base classifier on ready-made batches of the same size. A ratio
 * near 1 means noise generation and vote counting cost little next to the model.
 */
public final class CertifyBenchmark {

    private CertifyBenchmark() {}

    /**
     * @param batch noise batch (= forward batch) size
     * @param samples noise samples drawn (n0 + n per image, all images)
     * @param samplesPerSecond certification throughput
     * @param forwardsPerSecond plain forward passes (images per second) at the same batch size
     * @param ratio samplesPerSecond / forwardsPerSecond
     */
    public record Result(int batch, long samples, double samplesPerSecond, double forwardsPerSecond,
            double ratio) {}

    /**
     * @param g the smoothed classifier (its n0, n and noise batch are used)
     * @param images number of random images to certify
     * @param seed seeds the images
     */
    public static Result measure(SmoothedClassifier g, int images, long seed) {
        if (images < 1) {
            throw new IllegalArgumentException("--images must be at least 1, got " + images);
        }
        return PreemptEngine.call(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                Classifier f = g.base();
                Shape in = f.inputShape();
                Rng rng = new Rng(seed);
                NDArray x = rng.uniform(m, new Shape(images, in.get(0), in.get(1), in.get(2)), 0, 1);
                NDArray batch = rng.uniform(m, new Shape(g.noiseBatch(), in.get(0), in.get(1), in.get(2)), 0, 1);
                long perImage = g.n0() + g.n();
                long samples = images * perImage;
                for (int i = 0; i < 2; i++) {
                    forward(f, batch);
                }
                // alternate forward blocks and certifications (swapping which goes first) so that load changes
                // on a shared machine hit both alike
                long forwardNanos = 0;
                long certifyNanos = 0;
                long forwarded = 0;
                for (int i = 0; i < images; i++) {
                    for (int half = 0; half < 2; half++) {
                        long t0 = System.nanoTime();
                        if ((half + i) % 2 == 0) {
                            for (long done = 0; done < perImage; done += g.noiseBatch()) {
                                forward(f, batch);
                                forwarded += g.noiseBatch();
                            }
                            forwardNanos += System.nanoTime() - t0;
                        } else {
                            try (NDScope scope = new NDScope()) {
                                scope.suppressNotUsedWarning();
                                g.certify(x.get(i));
                            }
                            certifyNanos += System.nanoTime() - t0;
                        }
                    }
                }
                double forwardRate = forwarded / (forwardNanos / 1e9);
                double sampleRate = samples / (certifyNanos / 1e9);
                return new Result(g.noiseBatch(), samples, sampleRate, forwardRate, sampleRate / forwardRate);
            }
        });
    }

    private static void forward(Classifier f, NDArray batch) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            f.predict(batch).toLongArray();
        }
    }
}

package ai.preempt.server;

import ai.preempt.data.ImageLimits;
import ai.preempt.robustify.FastMode;
import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.threat.Norm;

/**
 * Settings of the HTTP service. Immutable; build with {@link #builder(String)}. Defaults: bind 127.0.0.1:8080,
 * batches of up to 64 images and 8 megapixels ({@link #DEFAULT_MAX_BATCH_PIXELS}) gathered for at most 20 ms, 256
 * queued requests, 120 s per request, uploads up to 10 MB and 40 megapixels ({@link ImageLimits#DEFAULT}),
 * robustification in fast mode (L∞ 8/255) and a PGD-20 attack demo.
 *
 * @param model the model to serve: a bundled name, a model directory or a TorchScript file
 * @param host the address to bind
 * @param port the port (0 picks a free one)
 * @param maxBatch images robustified together at most
 * @param maxBatchPixels pixels (height × width) computed at once at most, over all running batches; a larger photo
 *     runs alone
 * @param maxWaitMs how long the worker waits for a batch to fill once it holds a first request
 * @param queueCapacity requests waiting at most; more are refused at once with 503
 * @param timeoutMs a request not answered within this time gets 504
 * @param limits the accepted uploads: bytes, and pixels read from the header (413 above), formats (415 otherwise)
 * @param robustify the robustification settings
 * @param attackSteps steps of the demo attack's PGD (in the robustification's adversary budget)
 * @param batchInvariant answers never depend on what else shares a batch (small batches are padded); false only
 *     for a benchmark's single-image baseline
 */
public record ServerConfig(String model, String host, int port, int maxBatch, long maxBatchPixels, long maxWaitMs,
        int queueCapacity,
        long timeoutMs, ImageLimits limits, RobustifyConfig robustify, int attackSteps,
        boolean batchInvariant) {

    /**
     * Default pixel budget of the running batches: 32 photos of 512×512, while 64 CIFAR-sized uploads fit many
     * times over. 64 such photos sent at once to fast robustification peaked at 5.3 GB resident with this budget
     * and 7.6 GB without one (docs/results/serve).
     */
    public static final long DEFAULT_MAX_BATCH_PIXELS = 32L * 512 * 512;

    /** Validates; throws IllegalArgumentException with one sentence. */
    public ServerConfig {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("a model is required");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must lie in [0, 65535], got " + port);
        }
        positive(maxBatch, "--max-batch");
        positive(maxBatchPixels, "--max-batch-pixels");
        positive(queueCapacity, "--queue");
        positive(timeoutMs, "--timeout-ms");
        positive(attackSteps, "--attack-steps");
        if (maxWaitMs < 0) {
            throw new IllegalArgumentException("--max-wait-ms must not be negative, got " + maxWaitMs);
        }
    }

    private static void positive(long v, String name) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + v);
        }
    }

    /** @return a builder for serving {@code model}, every other setting at its default */
    public static Builder builder(String model) {
        return new Builder(model);
    }

    /** @return a builder pre-filled with this configuration */
    public Builder toBuilder() {
        return new Builder(model).optHost(host).optPort(port).optMaxBatch(maxBatch).optMaxBatchPixels(maxBatchPixels)
                .optMaxWaitMs(maxWaitMs).optQueueCapacity(queueCapacity).optTimeoutMs(timeoutMs).optImageLimits(limits)
                .optRobustify(robustify).optAttackSteps(attackSteps)
                .optBatchInvariant(batchInvariant);
    }

    /** @return the default robustification of the service: L∞ 8/255, fast mode */
    public static RobustifyConfig defaultRobustify() {
        return RobustifyConfig.builder(Norm.LINF, 8 / 255.0).optFast(FastMode.DEFAULT).build();
    }

    /** Builder; unset values take the defaults in the class comment. */
    public static final class Builder {
        private final String model;
        private String host = "127.0.0.1";
        private int port = 8080;
        private int maxBatch = 64;
        private long maxBatchPixels = DEFAULT_MAX_BATCH_PIXELS;
        private long maxWaitMs = 20;
        private int queueCapacity = 256;
        private long timeoutMs = 120_000;
        private ImageLimits limits = ImageLimits.DEFAULT;
        private RobustifyConfig robustify;
        private int attackSteps = 20;
        private boolean batchInvariant = true;

        Builder(String model) {
            this.model = model;
        }

        /** Address to bind (default 127.0.0.1). */
        public Builder optHost(String v) { host = v; return this; }
        /** Port (default 8080; 0 = any free port). */
        public Builder optPort(int v) { port = v; return this; }
        /** Images per batch at most (default 64). */
        public Builder optMaxBatch(int v) { maxBatch = v; return this; }
        /** Pixels computed at once at most (default {@link #DEFAULT_MAX_BATCH_PIXELS}). */
        public Builder optMaxBatchPixels(long v) { maxBatchPixels = v; return this; }
        /** Milliseconds a batch may wait to fill (default 20). */
        public Builder optMaxWaitMs(long v) { maxWaitMs = v; return this; }
        /** Waiting requests at most (default 256). */
        public Builder optQueueCapacity(int v) { queueCapacity = v; return this; }
        /** Milliseconds until a request gets 504 (default 120,000). */
        public Builder optTimeoutMs(long v) { timeoutMs = v; return this; }
        /** Accepted uploads (default {@link ImageLimits#DEFAULT}: 10 MB, 40 megapixels, PNG/JPEG/BMP). */
        public Builder optImageLimits(ImageLimits v) { limits = v; return this; }
        /** Robustification settings (default {@link ServerConfig#defaultRobustify()}). */
        public Builder optRobustify(RobustifyConfig v) { robustify = v; return this; }
        /** PGD steps of the attack demo (default 20). */
        public Builder optAttackSteps(int v) { attackSteps = v; return this; }

        /** Pad small batches so that answers never depend on the batch (default true). */
        public Builder optBatchInvariant(boolean v) { batchInvariant = v; return this; }

        /** @return the validated configuration */
        public ServerConfig build() {
            return new ServerConfig(model, host, port, maxBatch, maxBatchPixels, maxWaitMs, queueCapacity, timeoutMs,
                    limits, robustify == null ? defaultRobustify() : robustify, attackSteps, batchInvariant);
        }
    }
}

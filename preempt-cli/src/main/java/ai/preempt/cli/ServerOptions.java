package ai.preempt.cli;

import ai.preempt.server.ServerConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The service's settings, shared by {@code preempt serve} and {@code preempt bench serve}. */
final class ServerOptions {

    @Mixin ModelOption modelOption;
    @Mixin RobustifyOptions robustify;
    @Mixin ImageLimitOptions imageLimits;

    @Option(names = "--max-batch", defaultValue = "64", description = "Images robustified together at most (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-batch-pixels", defaultValue = "" + ServerConfig.DEFAULT_MAX_BATCH_PIXELS, description = "Pixels "
            + "(height x width) being robustified at once at most, over all batches; bounds memory with full-size photos "
            + "(a larger photo runs alone; default: ${DEFAULT-VALUE}, 32 photos of 512x512).")
    long maxBatchPixels;

    @Option(names = "--max-wait-ms", defaultValue = "20",
            description = "How long a batch waits to fill once it holds a request (default: ${DEFAULT-VALUE}).")
    long maxWaitMs;

    @Option(names = "--queue", defaultValue = "256",
            description = "Requests waiting at most; more get 503 with Retry-After (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--timeout-ms", defaultValue = "120000",
            description = "A request not answered within this time gets 504 (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--attack-steps", defaultValue = "20", description = "PGD steps of the attack demo (default: ${DEFAULT-VALUE}).")
    int attackSteps;

    @Option(names = "--no-fast", description = "Run all T outer steps (the reference) instead of fast mode's early exit (the service's "
            + "default is --speed fast; --speed fastest is faster still).")
    boolean noFast;

    /** @return the settings (host and port at their defaults) */
    ServerConfig.Builder builder() {
        return ServerConfig.builder(modelOption.model).optMaxBatch(maxBatch).optMaxBatchPixels(maxBatchPixels)
                .optMaxWaitMs(maxWaitMs)
                .optQueueCapacity(queue).optTimeoutMs(timeoutMs).optImageLimits(imageLimits.limits())
                .optAttackSteps(attackSteps).optRobustify(noFast ? robustify.config("default")
                        : robustify.speedGiven() ? robustify.config() : robustify.config("fast"));
    }
}

package ai.preempt.cli;

import ai.preempt.server.PreemptServer;
import ai.preempt.server.ServerConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code preempt serve}: the HTTP service and web page (module preempt-server). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve Preempt over HTTP: POST /v1/robustify, /v1/classify, /v1/attack; a web page at /, "
                + "API docs at /docs, Prometheus metrics at /metrics. Requests are batched dynamically; robustification "
                + "runs in fast mode unless --no-fast. Stop with Ctrl-C.")
final class ServeCommand implements Callable<Integer> {

    @Mixin ModelOption modelOption;
    @Mixin RobustifyOptions robustify;
    @Mixin CommonOptions common;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 listens on every interface).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(names = "--max-batch", defaultValue = "32", description = "Images robustified together at most (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-wait-ms", defaultValue = "20",
            description = "How long a batch waits to fill once it holds a request (default: ${DEFAULT-VALUE}).")
    long maxWaitMs;

    @Option(names = "--queue", defaultValue = "256",
            description = "Requests waiting at most; more get 503 with Retry-After (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--timeout-ms", defaultValue = "120000",
            description = "A request not answered within this time gets 504 (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--max-upload", defaultValue = "10485760", description = "Largest upload in bytes (default: ${DEFAULT-VALUE}, 10 MB).")
    long maxUpload;

    @Option(names = "--max-pixels", defaultValue = "40000000",
            description = "Largest image in pixels, read from the header before decoding (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    @Option(names = "--attack-steps", defaultValue = "20", description = "PGD steps of the attack demo (default: ${DEFAULT-VALUE}).")
    int attackSteps;

    @Option(names = "--no-fast", description = "Run all T outer steps (the reference) instead of fast mode's early exit.")
    boolean noFast;

    @Override
    public Integer call() throws Exception {
        ServerConfig cfg = ServerConfig.builder(modelOption.model).optHost(host).optPort(port).optMaxBatch(maxBatch)
                .optMaxWaitMs(maxWaitMs).optQueueCapacity(queue).optTimeoutMs(timeoutMs).optMaxUploadBytes(maxUpload)
                .optMaxPixels(maxPixels).optAttackSteps(attackSteps).optRobustify(robustify.config(!noFast)).build();
        PreemptServer server = PreemptServer.start(cfg);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "preempt-serve-stop"));
        System.out.println("Preempt is serving " + server.modelName() + " at " + server.url() + "/  (API: "
                + server.url() + "/docs, metrics: " + server.url() + "/metrics). Ctrl-C stops it.");
        System.out.flush();
        server.awaitStop();
        return 0;
    }
}

package ai.preempt.cli;

import ai.preempt.server.PreemptServer;
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

    @Mixin ServerOptions server;
    @Mixin CommonOptions common;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 listens on every interface).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Override
    public Integer call() throws Exception {
        PreemptServer s = PreemptServer.start(server.builder().optHost(host).optPort(port).build());
        Runtime.getRuntime().addShutdownHook(new Thread(s::close, "preempt-serve-stop"));
        System.out.println("Preempt is serving " + s.modelName() + " at " + s.url() + "/  (API: " + s.url()
                + "/docs, metrics: " + s.url() + "/metrics). Ctrl-C stops it.");
        System.out.flush();
        s.awaitStop();
        return 0;
    }
}

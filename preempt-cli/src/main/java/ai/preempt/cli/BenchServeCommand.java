package ai.preempt.cli;

import ai.preempt.data.ImageIo;
import ai.preempt.data.LabeledImages;
import ai.preempt.server.LoadTest;
import ai.preempt.server.ServeBenchmark;
import ai.preempt.server.ServerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code preempt bench serve}: the HTTP service under load, on loopback, in this process. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure the HTTP service on loopback: robustification requests per second and p50/p95 latency "
                + "with dynamic batching against --max-batch 1 (same images, same run) over the whole run and while "
                + "fully loaded (until the last request is sent, before the queue drains), the compute thread's time "
                + "by phase, and with --load the overload "
                + "test (many clients against a bounded queue: every answer 200 or 503, none lost, resident memory "
                + "after the run within 10%% of after a warm-up, /healthz still answering).",
            "Request bodies are CIFAR-10 test images as PNG files. The --max-batch 1 requests run in two halves, "
                + "before and after the batched ones, so that a machine whose speed drifts weighs on both alike. Exit "
                + "code 1 when the overload test fails."})
final class BenchServeCommand implements Callable<Integer> {

    @Mixin CommonOptions common;
    @Mixin ServerOptions server;
    @Mixin DataOptions dataOptions;

    @Option(names = "--images", defaultValue = "64", description = "Distinct request images (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--clients", defaultValue = "64", description = "Concurrent clients of the throughput runs (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--requests", defaultValue = "256", description = "Requests of the batched run (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--single-requests", defaultValue = "64",
            description = "Requests of the --max-batch 1 run (default: ${DEFAULT-VALUE}).")
    int singleRequests;

    @Option(names = "--load", description = "Also run the overload test.")
    boolean load;

    @Option(names = "--load-clients", defaultValue = "200", description = "Clients of the overload test (default: ${DEFAULT-VALUE}).")
    int loadClients;

    @Option(names = "--load-requests", defaultValue = "2000", description = "Requests of the overload test (default: ${DEFAULT-VALUE}).")
    int loadRequests;

    @Option(names = "--load-queue", defaultValue = "64", description = "Queue of the overload test (default: ${DEFAULT-VALUE}).")
    int loadQueue;

    @Option(names = "--no-throughput", description = "Skip the batching-against-single comparison.")
    boolean noThroughput;

    /** The throughput table, both speed-ups, and where the compute thread's time went. */
    private void printThroughput(List<ServeBenchmark.Throughput> runs) {
        System.out.println();
        System.out.printf("| batching | clients | requests | answered 200 | requests/s, whole run | requests/s, while "
                + "fully loaded | p50 latency | p95 latency | compute CPU s/request |%n");
        System.out.printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |%n");
        for (ServeBenchmark.Throughput t : runs) {
            LoadTest.Report r = t.report();
            LoadTest.Window w = r.loaded();
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %.2f | %s | %.1f s | %.1f s | %.3f |%n", label(t),
                    clients, r.requests(), r.ok(), r.okPerSecond(), Double.isNaN(w.okPerSecond()) ? "n/a"
                    : String.format(Locale.ROOT, "%.2f (%d in %.0f s)", w.okPerSecond(), w.ok(), w.seconds()),
                    r.latencyMs(0.5) / 1000, r.latencyMs(0.95) / 1000, t.cpuSecondsPerRequest());
        }
        LoadTest.Report dyn = runs.get(0).report();
        LoadTest.Report one = runs.get(1).report();
        System.out.printf(Locale.ROOT, "%nspeed-up of dynamic batching over the whole run (the drain at its end "
                + "included): %.2fx requests/s (wall time), %.2fx requests per compute CPU second%n",
                dyn.okPerSecond() / one.okPerSecond(), runs.get(1).cpuSecondsPerRequest()
                / runs.get(0).cpuSecondsPerRequest());
        String loaded = "speed-up while fully loaded (from the start until the last request was sent, after which the "
                + "queue only drains): ";
        if (!Double.isNaN(one.loadedOkPerSecond())) {
            System.out.printf(Locale.ROOT, "%s%.2fx%n", loaded, dyn.loadedOkPerSecond() / one.loadedOkPerSecond());
        } else {
            System.out.printf(Locale.ROOT, "%sn/a: the --max-batch 1 run sent every request at once (no more requests "
                    + "than clients); against its whole run (one image per batch drains at the rate it runs) %.2fx%n",
                    loaded, dyn.loadedOkPerSecond() / one.okPerSecond());
        }
        System.out.printf("%nthe compute thread's wall time per answered request, by phase (share of the run):%n%n");
        System.out.printf("| batching | %s | total | images per robustify step |%n",
                String.join(" | ", runs.get(0).computeSeconds().keySet()));
        System.out.printf("| --- |%s ---: | ---: |%n", " ---: |".repeat(runs.get(0).computeSeconds().size()));
        for (ServeBenchmark.Throughput t : runs) {
            double total = t.computeSeconds().values().stream().mapToDouble(Double::doubleValue).sum();
            StringBuilder row = new StringBuilder("| " + label(t) + " |");
            t.secondsPerRequest().forEach((phase, sec) -> row.append(String.format(Locale.ROOT, " %.3f s (%.0f%%) |",
                    sec, 100 * t.computeSeconds().get(phase) / total)));
            System.out.printf(Locale.ROOT, "%s %.3f s | %.1f |%n", row, total / t.report().ok(), t.meanImagesPerStep());
        }
    }

    private static String label(ServeBenchmark.Throughput t) {
        return t.maxBatch() == 1 ? "--max-batch 1" : "dynamic, --max-batch " + t.maxBatch();
    }

    @Override
    public Integer call() throws Exception {
        LabeledImages data = dataOptions.testSubset(images, 0);
        List<byte[]> bodies = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            bodies.add(ImageIo.toPngBytes(data.image(i)));
        }
        ServerConfig cfg = server.builder().build();
        System.out.printf(Locale.ROOT, "model %s, %s, %d distinct CIFAR-10 test images, %d intra-op threads%n",
                cfg.model(), cfg.robustify().fast() == null ? "default robustification" : "fast mode", bodies.size(),
                ai.preempt.engine.PreemptEngine.threads());
        int code = 0;
        if (!noThroughput) {
            List<ServeBenchmark.Throughput> runs = ServeBenchmark.throughput(cfg, bodies, clients, requests, singleRequests);
            printThroughput(runs);
        }
        if (load) {
            ServerConfig loadCfg = cfg.toBuilder().optQueueCapacity(loadQueue).build();
            // warm-up: the same load once, so that the measured run starts from the service's steady state
            ServeBenchmark.Overload o = ServeBenchmark.overload(loadCfg, bodies, loadClients, loadRequests, loadRequests);
            LoadTest.Report r = o.report();
            boolean pass = r.lost() == 0 && r.unexpected() == 0 && o.residentGrowth() <= 0.10 && o.healthyAfter();
            System.out.printf(Locale.ROOT, "%noverload: %d clients, %d requests, queue %d: %s%n", loadClients,
                    loadRequests, loadQueue, r);
            System.out.printf(Locale.ROOT, "resident memory after warm-up %d MB, after the run %d MB (%+.1f%%); "
                    + "/healthz afterwards: %s; %s%n", o.residentAfterWarmupKb() / 1024, o.residentAfterKb() / 1024,
                    100 * o.residentGrowth(), o.healthyAfter() ? "200" : "no answer", pass ? "PASS" : "FAIL");
            if (!r.lostExamples().isEmpty()) {
                System.out.println("lost: " + r.lostExamples());
            }
            code = pass ? 0 : PreemptCli.EXIT_FAILURE;
        }
        return code;
    }
}

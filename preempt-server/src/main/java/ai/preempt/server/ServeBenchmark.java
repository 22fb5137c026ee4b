package ai.preempt.server;

import ai.preempt.engine.PreemptEngine;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Benchmarks of the running service on loopback, each against a server it starts and stops in this process:
 * {@link #throughput} (dynamic batching against one image per batch) and {@link #overload} (many clients
 * against a bounded queue, with resident memory before and after).
 */
public final class ServeBenchmark {

    private ServeBenchmark() {}

    /**
     * One server setting under a closed-loop load.
     *
     * @param maxBatch the server's batch limit
     * @param report what the clients saw
     * @param computeCpuSeconds CPU time of the compute thread during the run (all tensor work with one intra-op
     *     thread; not inflated by other load on the machine, unlike wall time)
     * @param computeSeconds the compute thread's wall time during the run by phase (admit, robustify, verdict,
     *     batch, idle; see the service's {@code preempt_compute_seconds_total}), in this order
     * @param steps robustification's outer steps (or whole batches) during the run
     * @param stepImages the images those steps computed, summed over the steps
     */
    public record Throughput(int maxBatch, LoadTest.Report report, double computeCpuSeconds,
            Map<String, Double> computeSeconds, long steps, long stepImages) {
        public Throughput {
            computeSeconds = Collections.unmodifiableMap(new LinkedHashMap<>(computeSeconds));
        }

        /** @return the two runs of one setting as one (see {@link LoadTest.Report#followedBy}) */
        Throughput followedBy(Throughput next) {
            Map<String, Double> phases = new LinkedHashMap<>(computeSeconds);
            next.computeSeconds.forEach((k, v) -> phases.merge(k, v, Double::sum));
            return new Throughput(maxBatch, report.followedBy(next.report), computeCpuSeconds + next.computeCpuSeconds,
                    phases, steps + next.steps, stepImages + next.stepImages);
        }

        /** @return images robustified together per outer step, on average over the run's steps */
        public double meanImagesPerStep() {
            return (double) stepImages / Math.max(1, steps);
        }

        /** @return compute CPU seconds per answered request */
        public double cpuSecondsPerRequest() {
            return computeCpuSeconds / report.ok();
        }

        /** @return the compute thread's wall seconds per answered request by phase, in the order of computeSeconds */
        public Map<String, Double> secondsPerRequest() {
            Map<String, Double> m = new LinkedHashMap<>();
            computeSeconds.forEach((phase, sec) -> m.put(phase, sec / report.ok()));
            return m;
        }
    }

    /**
     * The overload run.
     *
     * @param report what the clients saw
     * @param residentAfterWarmupKb VmRSS after the warm-up run
     * @param residentAfterKb VmRSS after the measured run
     * @param healthyAfter {@code /healthz} answered 200 afterwards
     */
    public record Overload(LoadTest.Report report, long residentAfterWarmupKb, long residentAfterKb,
            boolean healthyAfter) {
        /** @return resident memory after the run relative to after the warm-up */
        public double residentGrowth() {
            return (double) residentAfterKb / residentAfterWarmupKb - 1;
        }
    }

    /**
     * Robustification requests per second with dynamic batching ({@code base}'s batch limit) and with one image
     * per batch (the plain single-image path, without batch-invariance padding), in this order, same images.
     *
     * @param base the service settings (model, robustification, batch limit)
     * @param images request bodies
     * @param clients concurrent clients (the queue holds them all: no 503)
     * @param requests requests with batching
     * @param singleRequests requests with one image per batch (slower: fewer keep the run short)
     */
    public static List<Throughput> throughput(ServerConfig base, List<byte[]> images, int clients, int requests,
            int singleRequests) throws InterruptedException {
        ServerConfig batched = base.toBuilder().optPort(0).optQueueCapacity(Math.max(clients, base.queueCapacity()))
                .optTimeoutMs(Math.max(base.timeoutMs(), Duration.ofMinutes(30).toMillis())).build();
        ServerConfig single = batched.toBuilder().optMaxBatch(1).optBatchInvariant(false).build();
        if (singleRequests < 2) {
            return List.of(closedLoop(batched, images, clients, requests),
                    closedLoop(single, images, clients, singleRequests));
        }
        // one image per batch in two halves, before and after the batched run, the second half going on where the
        // first stopped in the image order: a machine whose speed drifts during the run (a shared VM does, by 20-40 %
        // between minutes) then weighs on both settings alike instead of on whichever ran in the slow minutes
        int first = singleRequests / 2;
        Throughput before = closedLoop(single, images, clients, first);
        Throughput dynamic = closedLoop(batched, images, clients, requests);
        Throughput after = closedLoop(single, rotated(images, first), clients, singleRequests - first);
        return List.of(dynamic, before.followedBy(after));
    }

    /** @return the images starting at {@code from} (modulo their number), then the ones before it */
    static List<byte[]> rotated(List<byte[]> images, int from) {
        int k = from % images.size();
        List<byte[]> out = new ArrayList<>(images.subList(k, images.size()));
        out.addAll(images.subList(0, k));
        return out;
    }

    private static Throughput closedLoop(ServerConfig cfg, List<byte[]> images, int clients, int requests)
            throws InterruptedException {
        try (PreemptServer s = PreemptServer.start(cfg)) {
            URI url = URI.create(s.url() + "/v1/robustify");
            LoadTest.run(url, images, 1, 2, Duration.ofMinutes(30)); // warm-up: first-call costs
            long cpu = PreemptEngine.computeCpuNanos();
            ComputeTime.Snapshot phases = s.computeTime();
            long[] steps = s.robustifySteps();
            LoadTest.Report r = LoadTest.run(url, images, clients, requests, Duration.ofMinutes(30));
            long[] stepsAfter = s.robustifySteps();
            return new Throughput(cfg.maxBatch(), r, (PreemptEngine.computeCpuNanos() - cpu) / 1e9,
                    s.computeTime().since(phases).byLabel(), stepsAfter[0] - steps[0], stepsAfter[1] - steps[1]);
        }
    }

    /**
     * Many clients against {@code base}'s bounded queue: a warm-up run of {@code warmup} requests from as many
     * clients, then the measured run; resident memory (of this process: server and clients) after each, and
     * whether the server still answers.
     */
    public static Overload overload(ServerConfig base, List<byte[]> images, int clients, int requests, int warmup)
            throws InterruptedException {
        try (PreemptServer s = PreemptServer.start(base.toBuilder().optPort(0).build())) {
            URI url = URI.create(s.url() + "/v1/robustify");
            LoadTest.run(url, images, clients, warmup, Duration.ofMinutes(10));
            System.gc();
            long warm = LoadTest.residentKb();
            LoadTest.Report r = LoadTest.run(url, images, clients, requests, Duration.ofMinutes(10));
            System.gc();
            long after = LoadTest.residentKb();
            return new Overload(r, warm, after, healthy(s));
        }
    }

    private static boolean healthy(PreemptServer s) throws InterruptedException {
        try {
            HttpResponse<Void> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(s.url() + "/healthz"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }
}

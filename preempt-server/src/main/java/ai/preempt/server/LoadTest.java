package ai.preempt.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.DoubleStream;

/**
 * A bounded load generator for a running service (loopback): {@code clients} threads send {@code requests}
 * POSTs in total, each waiting for its answer before sending the next, and every answer or failure is counted.
 * A request with no HTTP answer (connection error, client timeout) is "lost".
 *
 * <p>Two throughputs: over the whole run, and while fully loaded ({@link Report#loaded}): until the last request
 * is sent every client has a request in flight; after it the service only drains what is left, with fewer and
 * fewer requests to batch, which a service under sustained load never does.
 */
public final class LoadTest {

    private LoadTest() {}

    /**
     * What happened.
     *
     * @param requests requests sent
     * @param byStatus answers per HTTP status
     * @param lost requests that got no HTTP answer
     * @param lostExamples up to five reasons for lost requests
     * @param seconds wall time of the run
     * @param okLatencyMs sorted latencies of the 200 answers, milliseconds
     * @param loaded the run until its last request was sent
     */
    public record Report(int requests, Map<Integer, Integer> byStatus, int lost, List<String> lostExamples,
            double seconds, double[] okLatencyMs, Window loaded) {

        /**
         * @return the two runs as one: requests, answers and latencies together, their times added (one after the
         *     other, the time between them left out); the window is the sum of the windows, or the other's where
         *     one had none
         */
        public Report followedBy(Report next) {
            Map<Integer, Integer> status = new TreeMap<>(byStatus);
            next.byStatus.forEach((k, v) -> status.merge(k, v, Integer::sum));
            List<String> examples = new ArrayList<>(lostExamples);
            examples.addAll(next.lostExamples);
            double[] latency = DoubleStream.concat(Arrays.stream(okLatencyMs), Arrays.stream(next.okLatencyMs))
                    .sorted().toArray();
            return new Report(requests + next.requests, status, lost + next.lost, examples, seconds + next.seconds,
                    latency, loaded.followedBy(next.loaded));
        }

        /** @return answers with status 200 */
        public int ok() {
            return byStatus.getOrDefault(200, 0);
        }

        /** @return answers with a status other than 200 and 503 */
        public int unexpected() {
            return byStatus.entrySet().stream().filter(e -> e.getKey() != 200 && e.getKey() != 503)
                    .mapToInt(Map.Entry::getValue).sum();
        }

        /** @return 200 answers per second over the whole run, the drain at its end included */
        public double okPerSecond() {
            return ok() / seconds;
        }

        /** @return 200 answers per second while fully loaded ({@link Window#okPerSecond}) */
        public double loadedOkPerSecond() {
            return loaded.okPerSecond();
        }

        /** @return the q-quantile (0..1) of the 200 answers' latency in ms, NaN without any */
        public double latencyMs(double q) {
            if (okLatencyMs.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(q * okLatencyMs.length) - 1;
            return okLatencyMs[Math.max(0, Math.min(okLatencyMs.length - 1, i))];
        }

        @Override
        public String toString() {
            return String.format("%d requests in %.1f s: %s, lost %d; %.2f ok/s (%.2f while fully loaded); p50 %.0f ms, "
                    + "p95 %.0f ms", requests, seconds, byStatus, lost, okPerSecond(), loadedOkPerSecond(),
                    latencyMs(0.5), latencyMs(0.95));
        }
    }

    /**
     * The part of a run while every client had a request in flight: from the start until the last request was
     * sent.
     *
     * @param seconds from the start to the moment the last request was sent
     * @param answered requests finished (any status, or lost) within it
     * @param ok 200 answers within it
     */
    public record Window(double seconds, int answered, int ok) {

        /**
         * @param lastSentNanos when the last request was sent, ns after the start
         * @param answeredNanos when each finished request finished (any status, or lost), ns after the start
         * @param okNanos when each 200 answer arrived, ns after the start
         */
        static Window until(long lastSentNanos, long[] answeredNanos, long[] okNanos) {
            return new Window(lastSentNanos / 1e9, countUpTo(answeredNanos, lastSentNanos),
                    countUpTo(okNanos, lastSentNanos));
        }

        /** @return both windows as one (times and counts added), or the one that has answers where the other has none */
        Window followedBy(Window next) {
            if (answered == 0 || next.answered == 0) {
                return answered == 0 ? next : this;
            }
            return new Window(seconds + next.seconds, answered + next.answered, ok + next.ok);
        }

        private static int countUpTo(long[] times, long end) {
            int n = 0;
            for (long t : times) {
                n += t <= end ? 1 : 0;
            }
            return n;
        }

        /**
         * @return 200 answers per second within the window; NaN when no request finished in it (every request was
         *     sent at once: no more requests than clients)
         */
        public double okPerSecond() {
            return answered == 0 ? Double.NaN : ok / seconds;
        }
    }

    /**
     * Sends the requests and waits for all of them.
     *
     * @param url the endpoint, e.g. http://127.0.0.1:8080/v1/robustify
     * @param bodies image bodies, sent in turn (request i sends {@code bodies[i % size]}) as application/octet-stream
     * @param clients concurrent clients
     * @param requests requests in total
     * @param timeout a request not answered within this is lost
     */
    public static Report run(URI url, List<byte[]> bodies, int clients, int requests, Duration timeout)
            throws InterruptedException {
        if (clients < 1 || requests < 1 || bodies.isEmpty()) {
            throw new IllegalArgumentException("a load test needs at least one client, request and body");
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        AtomicInteger next = new AtomicInteger();
        Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
        LongAdder lost = new LongAdder();
        ConcurrentLinkedQueue<String> lostExamples = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Double> okLatency = new ConcurrentLinkedQueue<>();
        // finishing times (ns after the start) of every request and of the 200 answers; when the last was sent
        ConcurrentLinkedQueue<Long> answeredAt = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> okAt = new ConcurrentLinkedQueue<>();
        AtomicLong lastSentAt = new AtomicLong();
        List<Thread> threads = new ArrayList<>(clients);
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                for (int i; (i = next.getAndIncrement()) < requests;) {
                    HttpRequest req = HttpRequest.newBuilder(url).timeout(timeout)
                            .header("Content-Type", "application/octet-stream")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i % bodies.size()))).build();
                    long t0 = System.nanoTime();
                    if (i == requests - 1) {
                        lastSentAt.set(t0 - start);
                    }
                    try {
                        HttpResponse<Void> res = http.send(req, HttpResponse.BodyHandlers.discarding());
                        long t1 = System.nanoTime();
                        byStatus.computeIfAbsent(res.statusCode(), k -> new LongAdder()).increment();
                        if (res.statusCode() == 200) {
                            okLatency.add((t1 - t0) / 1e6);
                            okAt.add(t1 - start);
                        }
                        answeredAt.add(t1 - start);
                    } catch (IOException e) {
                        answeredAt.add(System.nanoTime() - start);
                        lost.increment();
                        if (lostExamples.size() < 5) {
                            lostExamples.add(e.getClass().getSimpleName() + ": " + e.getMessage());
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }, "load-client-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<Integer, Integer> counts = new TreeMap<>();
        byStatus.forEach((k, v) -> counts.put(k, v.intValue()));
        double[] lat = okLatency.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(lat);
        Window loaded = Window.until(lastSentAt.get(), answeredAt.stream().mapToLong(Long::longValue).toArray(),
                okAt.stream().mapToLong(Long::longValue).toArray());
        return new Report(requests, counts, lost.intValue(), List.copyOf(lostExamples), seconds, lat, loaded);
    }

    /** @return this process's resident set size in kB (VmRSS of /proc/self/status), or -1 where unavailable */
    public static long residentKb() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}

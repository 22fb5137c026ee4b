package ai.preempt.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The service's Prometheus metrics: HTTP requests by route, method and status with a latency histogram,
 * queue depth, refused and abandoned requests, batch sizes and durations per operation, images processed,
 * images per second over the last minute, and the compute thread's time by phase ({@link ComputeTime}).
 */
final class ServerMetrics {

    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(60);
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter rejected;
    private final Counter abandoned;
    private final ComputeTime compute = new ComputeTime();
    /** (end time in ns, images) of the batches of the last minute. */
    private final ArrayDeque<long[]> recent = new ArrayDeque<>();
    private final long startNanos = System.nanoTime();

    ServerMetrics() {
        rejected = Counter.builder("preempt.queue.rejected").description("requests refused with 503 (queue full)")
                .register(registry);
        abandoned = Counter.builder("preempt.queue.abandoned")
                .description("queued requests dropped before compute (client gone or timed out)").register(registry);
        Gauge.builder("preempt.images.per.second", this, ServerMetrics::imagesPerSecond)
                .description("images processed per second over the last minute").strongReference(true).register(registry);
        for (ComputeTime.Phase p : ComputeTime.Phase.values()) {
            FunctionCounter.builder("preempt.compute.seconds", compute, c -> c.snapshot().of(p))
                    .description("the compute thread's wall time by what it did (idle: nothing to compute)")
                    .tag("phase", p.label()).register(registry);
        }
    }

    /** @return the compute thread's time by phase */
    ComputeTime compute() {
        return compute;
    }

    /** Registers the queue-depth gauge. */
    void queueDepth(IntSupplier depth) {
        Gauge.builder("preempt.queue.depth", depth, IntSupplier::getAsInt).description("requests waiting")
                .strongReference(true).register(registry);
    }

    /** Counts one HTTP request. */
    void request(String route, String method, int status, double millis) {
        Timer.builder("preempt.http.requests").description("HTTP requests by route, method and status")
                .tags("route", route, "method", method, "status", Integer.toString(status))
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(2)).register(registry)
                .record(Duration.ofNanos((long) (millis * 1e6)));
    }

    /** Counts one batch: {@code size} images computed together and done. */
    void batch(String operation, int size, long nanos) {
        step(operation, size, size, nanos);
    }

    /**
     * Counts one step of a continuous batch (or one whole batch): {@code rows} images computed together, of which
     * {@code done} finished.
     */
    void step(String operation, int rows, int done, long nanos) {
        DistributionSummary.builder("preempt.batch.size").description("images computed together (per batch or step)")
                .tag("operation", operation).serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128).register(registry)
                .record(rows);
        Timer.builder("preempt.batch.duration").description("compute time per batch or step").tag("operation", operation)
                .publishPercentileHistogram().register(registry).record(nanos, TimeUnit.NANOSECONDS);
        Counter.builder("preempt.images.processed").tag("operation", operation).register(registry).increment(done);
        synchronized (recent) {
            recent.addLast(new long[] {System.nanoTime(), done});
        }
    }

    /** @return steps (or whole batches) of an operation so far and the images they computed, summed */
    long[] steps(String operation) {
        DistributionSummary d = registry.find("preempt.batch.size").tag("operation", operation).summary();
        return d == null ? new long[2] : new long[] {d.count(), Math.round(d.totalAmount())};
    }

    void rejected() {
        rejected.increment();
    }

    void abandoned() {
        abandoned.increment();
    }

    private double imagesPerSecond() {
        long now = System.nanoTime();
        long images = 0;
        synchronized (recent) {
            while (!recent.isEmpty() && now - recent.peekFirst()[0] > WINDOW_NANOS) {
                recent.removeFirst();
            }
            for (long[] r : recent) {
                images += r[1];
            }
        }
        double window = Math.min(WINDOW_NANOS, Math.max(1, now - startNanos)) / 1e9;
        return images / window;
    }

    /** @return the Prometheus text exposition */
    String scrape() {
        return registry.scrape();
    }
}

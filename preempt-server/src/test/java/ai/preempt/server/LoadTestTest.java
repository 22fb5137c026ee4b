package ai.preempt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load generator's "while fully loaded" window against a fake endpoint (no model): it ends when the last
 * request is sent, holds exactly the answers that arrived before, and is empty when every request was sent at
 * once. Counts only, nothing timed.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class LoadTestTest {

    private static final List<byte[]> BODY = List.of(new byte[] {1, 2, 3});
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private HttpServer server;

    /** Serves {@code status(n)} to the n-th request (0-based), after {@code gate} opens. */
    private URI endpoint(IntUnaryOperator status, CountDownLatch gate) throws IOException {
        AtomicInteger n = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(handlers);
        server.createContext("/", (HttpExchange ex) -> {
            int code = status.applyAsInt(n.getAndIncrement());
            ex.getRequestBody().readAllBytes();
            gate.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(code, -1);
            ex.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        handlers.shutdownNow();
    }

    @Test
    void oneClientsWindowHoldsEveryAnswerBeforeTheLastRequestAndOnlyItsOkOnes() throws Exception {
        // one client: request i+1 is sent after answer i, so the last (5th) is sent after exactly 5 answers;
        // odd requests are answered 200: 1, 3, 5 over the run, 1 and 3 before the last was sent
        URI url = endpoint(i -> i % 2 == 1 ? 200 : 503, new CountDownLatch(0));
        LoadTest.Report r = LoadTest.run(url, BODY, 1, 6, TIMEOUT);

        assertThat(r.ok()).isEqualTo(3);
        assertThat(r.loaded().answered()).isEqualTo(5);
        assertThat(r.loaded().ok()).isEqualTo(2);
        assertThat(r.loaded().seconds()).isPositive().isLessThanOrEqualTo(r.seconds());
        assertThat(r.loadedOkPerSecond()).isCloseTo(2 / r.loaded().seconds(), within(1e-9));
    }

    @Test
    void severalClientsWindowEndsWhenTheLastRequestIsSentNotWhenTheRunEnds() throws Exception {
        // a closed loop of 3 clients sends request i >= 3 only after some answer: the last of 12 leaves after at
        // least 12 - 3 answers, and its own answer (and those of the two still in flight) may come after it
        int clients = 3;
        int requests = 12;
        URI url = endpoint(i -> 200, new CountDownLatch(0));
        LoadTest.Report r = LoadTest.run(url, BODY, clients, requests, TIMEOUT);

        assertThat(r.ok()).isEqualTo(requests);
        assertThat(r.loaded().answered()).isBetween(requests - clients, requests - 1);
        assertThat(r.loaded().ok()).isEqualTo(r.loaded().answered());
    }

    @Test
    void noWindowWhenEveryRequestIsSentAtOnce() throws Exception {
        // 3 requests from 4 clients, answered only once all 3 have arrived: nothing finishes before the last is sent
        URI url = endpoint(i -> 200, new CountDownLatch(3));
        LoadTest.Report r = LoadTest.run(url, BODY, 4, 3, TIMEOUT);

        assertThat(r.ok()).isEqualTo(3);
        assertThat(r.loaded().answered()).isZero();
        assertThat(r.loadedOkPerSecond()).isNaN();
        assertThat(r.okPerSecond()).isPositive();
    }

    @Test
    void windowCountsTheAnswersUpToTheLastSendInclusive() {
        long s = 1_000_000_000L;
        LoadTest.Window w = LoadTest.Window.until(4 * s, new long[] {s, 2 * s, 4 * s, 5 * s, 6 * s},
                new long[] {2 * s, 4 * s, 6 * s});

        assertThat(w.seconds()).isEqualTo(4.0);
        assertThat(w.answered()).isEqualTo(3);
        assertThat(w.ok()).isEqualTo(2);
        assertThat(w.okPerSecond()).isEqualTo(0.5);
    }

    /** Two runs of one setting read as one: counts and times add, latencies pool in order, windows add. */
    @Test
    void twoRunsFollowedByEachOtherAddUp() {
        LoadTest.Report a = new LoadTest.Report(3, java.util.Map.of(200, 2, 503, 1), 0, List.of(), 10.0,
                new double[] {5, 40}, new LoadTest.Window(0, 0, 0));
        LoadTest.Report b = new LoadTest.Report(4, java.util.Map.of(200, 3), 1, List.of("lost"), 30.0,
                new double[] {1, 20, 60}, new LoadTest.Window(12.0, 2, 2));
        LoadTest.Report ab = a.followedBy(b);
        assertThat(ab.requests()).isEqualTo(7);
        assertThat(ab.ok()).isEqualTo(5);
        assertThat(ab.byStatus()).containsEntry(503, 1);
        assertThat(ab.lost()).isEqualTo(1);
        assertThat(ab.lostExamples()).containsExactly("lost");
        assertThat(ab.okPerSecond()).isEqualTo(5 / 40.0);
        assertThat(ab.okLatencyMs()).containsExactly(1, 5, 20, 40, 60);
        assertThat(ab.latencyMs(0.5)).isEqualTo(20);
        // a had no window (every request sent at once): the pair's window is b's
        assertThat(ab.loaded()).isEqualTo(b.loaded());
        assertThat(b.followedBy(b).loaded()).isEqualTo(new LoadTest.Window(24.0, 4, 4));
    }

    /** The second half of a split run goes on in the image order where the first stopped. */
    @Test
    void rotatedImagesStartWhereTheFirstHalfStopped() {
        List<byte[]> images = List.of(new byte[] {0}, new byte[] {1}, new byte[] {2});
        assertThat(ServeBenchmark.rotated(images, 4)).extracting(x -> x[0]).containsExactly((byte) 1, (byte) 2, (byte) 0);
        assertThat(ServeBenchmark.rotated(images, 0)).extracting(x -> x[0]).containsExactly((byte) 0, (byte) 1, (byte) 2);
    }
}

package ai.preempt.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A reduced load test on loopback (the full size is {@code preempt bench serve --load}): many concurrent clients
 * against a small queue; every request is answered 200 or 503, none is lost, resident memory does not grow
 * beyond 10% of its size after a warm-up, and the server still answers.
 */
class ServerLoadTest {

    static final int CLIENTS = 40;
    static final int REQUESTS = 300;

    @Test
    void overloadIsAnswered200Or503WithNoneLostAndNoGrowth() throws Exception {
        List<byte[]> pngs = ServerFixture.cifarPngs(16);
        try (PreemptServer server = PreemptServer.start(ServerFixture.config().optMaxBatch(8).optQueueCapacity(8)
                .optRobustify(ServerFixture.quickRobustify().toBuilder().optOuterSteps(2).optInnerSteps(2).build())
                .build())) {
            URI url = URI.create(server.url() + "/v1/robustify");
            LoadTest.run(url, pngs, CLIENTS, REQUESTS, Duration.ofMinutes(2));
            System.gc();
            long warm = LoadTest.residentKb();

            LoadTest.Report r = LoadTest.run(url, pngs, CLIENTS, REQUESTS, Duration.ofMinutes(2));
            System.gc();
            long after = LoadTest.residentKb();
            System.out.println("load test: " + r + "; RSS after warm-up " + warm / 1024 + " MB, after the run "
                    + after / 1024 + " MB");

            assertThat(r.lost()).as(r.lostExamples().toString()).isZero();
            assertThat(r.unexpected()).as(r.byStatus().toString()).isZero();
            assertThat(r.ok() + r.byStatus().getOrDefault(503, 0)).isEqualTo(REQUESTS);
            assertThat(r.ok()).isPositive();
            assertThat(r.byStatus().getOrDefault(503, 0)).as("the queue overflowed").isPositive();
            assertThat(after).isLessThanOrEqualTo((long) (warm * 1.10));
            assertThat(ServerFixture.get(server, "/healthz").statusCode()).isEqualTo(200);
        }
    }
}

package ai.preempt.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A reduced load test on loopback (the full size is {@code preempt bench serve --load}): many concurrent clients
 * against a small queue; every request is answered 200 or 503, none is lost, resident memory does not grow
 * beyond 10% of its size after a warm-up, and the server still answers.
 */
class ServerLoadTest {

    static final int CLIENTS = 40;
    static final int REQUESTS = 300;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void overloadIsAnswered200Or503WithNoneLostAndNoGrowth() throws Exception {
        List<byte[]> pngs = ServerFixture.cifarPngs(16);
        // the measurement of `preempt bench serve --load`: a warm-up run, then the measured run
        ServeBenchmark.Overload o = ServeBenchmark.overload(ServerFixture.config().optMaxBatch(8).optQueueCapacity(8)
                .optRobustify(ServerFixture.quickRobustify().toBuilder().optOuterSteps(2).optInnerSteps(2).build())
                .build(), pngs, CLIENTS, REQUESTS, REQUESTS);
        LoadTest.Report r = o.report();
        long warm = o.residentAfterWarmupKb();
        long after = o.residentAfterKb();
        System.out.println("load test: " + r + "; RSS after warm-up " + warm / 1024 + " MB, after the run "
                + after / 1024 + " MB");

        assertThat(r.lost()).as(r.lostExamples().toString()).isZero();
        assertThat(r.unexpected()).as(r.byStatus().toString()).isZero();
        assertThat(r.ok() + r.byStatus().getOrDefault(503, 0)).isEqualTo(REQUESTS);
        assertThat(r.ok()).isPositive();
        assertThat(r.byStatus().getOrDefault(503, 0)).as("the queue overflowed").isPositive();
        assertThat(after).isLessThanOrEqualTo((long) (warm * 1.10));
        assertThat(o.healthyAfter()).as("/healthz answers 200 after the run").isTrue();
    }

    /**
     * The batching-against-single comparison of {@code preempt bench serve}, end to end at a reduced size: each
     * setting answers every request with 200 and its own batch limit, the single-image requests (an odd number, run
     * in two halves around the batched ones) add up to what was asked, and the compute thread's time and the
     * robustification steps are counted for both.
     */
    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void throughputRunsBothSettingsAndTheSingleImageHalvesAddUpToEveryRequest() throws Exception {
        List<byte[]> pngs = ServerFixture.cifarPngs(4);
        List<ServeBenchmark.Throughput> t = ServeBenchmark.throughput(ServerFixture.config().optMaxBatch(4)
                .optRobustify(ServerFixture.quickRobustify().toBuilder().optOuterSteps(2).optInnerSteps(2).build())
                .build(), pngs, 3, 6, 5);
        assertThat(t).extracting(ServeBenchmark.Throughput::maxBatch).containsExactly(4, 1);
        assertThat(t.get(0).report().requests()).isEqualTo(6);
        assertThat(t.get(0).report().ok()).isEqualTo(6);
        assertThat(t.get(1).report().requests()).as("both halves").isEqualTo(5);
        assertThat(t.get(1).report().ok()).isEqualTo(5);
        for (ServeBenchmark.Throughput x : t) {
            assertThat(x.report().lost()).isZero();
            assertThat(x.computeCpuSeconds()).isPositive();
            assertThat(x.steps()).isPositive();
            assertThat(x.stepImages()).isGreaterThanOrEqualTo(x.steps());
        }
        assertThat(t.get(1).meanImagesPerStep()).as("one image per step").isEqualTo(1.0);
    }
}

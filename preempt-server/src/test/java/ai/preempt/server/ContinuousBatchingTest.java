package ai.preempt.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.data.Image;
import ai.preempt.data.ImageIo;
import ai.preempt.model.Classifier;
import ai.preempt.model.Models;
import ai.preempt.robustify.FastMode;
import ai.preempt.robustify.RobustifyConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Continuous batching in the service: a request that arrives while a batch is being robustified joins the
 * running batch between outer steps and is answered as soon as its own image is done, before the batch's slowest
 * image, with the same bytes it gets alone. Steps are counted, not timed: the test holds the worker inside a step
 * while the second request arrives.
 */
class ContinuousBatchingTest {

    private static Classifier f;
    private BatchQueue queue;

    @BeforeAll
    static void load() {
        f = Models.load(ServerFixture.model());
    }

    @AfterAll
    static void close() {
        f.close();
    }

    @AfterEach
    void stop() {
        if (queue != null) {
            queue.close();
        }
    }

    /** The service's robustification with its steps counted; step {@code holdAt} waits until released. */
    private static final class Counted implements StreamingOperation<ProtectionService.Robustified> {
        final StreamingOperation<ProtectionService.Robustified> inner;
        final AtomicInteger steps = new AtomicInteger();
        final AtomicInteger sessions = new AtomicInteger();
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final int holdAt;

        Counted(StreamingOperation<ProtectionService.Robustified> inner, int holdAt) {
            this.inner = inner;
            this.holdAt = holdAt;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public Session<ProtectionService.Robustified> open(Image like) {
            sessions.incrementAndGet();
            Session<ProtectionService.Robustified> s = inner.open(like);
            return new Session<>() {
                @Override
                public long[] admit(List<Image> images) {
                    return s.admit(images);
                }

                @Override
                public Map<Long, ProtectionService.Robustified> step() {
                    if (steps.incrementAndGet() == holdAt) {
                        held.countDown();
                        try {
                            release.await(2, TimeUnit.MINUTES);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return s.step();
                }

                @Override
                public void drop(long id) {
                    s.drop(id);
                }

                @Override
                public int size() {
                    return s.size();
                }

                @Override
                public void close() {
                    s.close();
                }
            };
        }
    }

    @Test
    void requestArrivingDuringALongBatchIsAnsweredBeforeItsSlowestImageWithItsAloneBytes() throws Exception {
        // fast mode, T = 12: some images exit after a step or two, others run all 12
        RobustifyConfig fast = ServerFixture.quickRobustify().toBuilder().optOuterSteps(12)
                .optFast(new FastMode(2, 2, FastMode.DEFAULT.lossThreshold(), 2, 2)).build();
        ProtectionService service = new ProtectionService(f, fast, 5, true);
        List<Image> photos = IntStream.range(0, 4).mapToObj(i -> ServerFixture.photo(i, 32, 32)).toList();
        List<ProtectionService.Robustified> alone = new ArrayList<>();
        for (Image p : photos) {
            alone.add(service.robustify().run(List.of(p)).get(0));
        }
        Comparator<Integer> bySteps = Comparator.comparingInt(i -> alone.get(i).verdict().outerSteps());
        int slow = IntStream.range(0, 4).boxed().max(bySteps).orElseThrow();
        int quick = IntStream.range(0, 4).boxed().min(bySteps).orElseThrow();
        int slowSteps = alone.get(slow).verdict().outerSteps();
        int quickSteps = alone.get(quick).verdict().outerSteps();
        assertThat(quickSteps + 2).as("the quick image alone finishes well before the slow one").isLessThan(slowSteps);

        Counted op = new Counted(service.robustify(), 2);
        queue = new BatchQueue(8, 0, 16, new ServerMetrics());
        int[] doneAtStep = new int[2];
        CompletableFuture<ProtectionService.Robustified> first = queue.submit(op, photos.get(slow), () -> false);
        first.thenRun(() -> doneAtStep[0] = op.steps.get());
        assertThat(op.held.await(2, TimeUnit.MINUTES)).isTrue(); // the worker is inside step 2 of the slow image
        CompletableFuture<ProtectionService.Robustified> second = queue.submit(op, photos.get(quick), () -> false);
        second.thenRun(() -> doneAtStep[1] = op.steps.get());
        op.release.countDown();
        ProtectionService.Robustified quickOut = second.get(2, TimeUnit.MINUTES);
        ProtectionService.Robustified slowOut = first.get(2, TimeUnit.MINUTES);

        assertThat(op.sessions.get()).as("the second request joined the running batch").isEqualTo(1);
        assertThat(doneAtStep[1]).as("answered after its own steps, joined before step 3")
                .isEqualTo(2 + quickSteps);
        assertThat(doneAtStep[1]).as("before the slow image").isLessThan(doneAtStep[0]);
        assertThat(doneAtStep[0]).isEqualTo(slowSteps);
        assertThat(ImageIo.toPngBytes(quickOut.output())).isEqualTo(ImageIo.toPngBytes(alone.get(quick).output()));
        assertThat(ImageIo.toPngBytes(slowOut.output())).isEqualTo(ImageIo.toPngBytes(alone.get(slow).output()));
        assertThat(quickOut.verdict()).isEqualTo(alone.get(quick).verdict());
        assertThat(slowOut.verdict()).isEqualTo(alone.get(slow).verdict());
    }
}

package ai.preempt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.preempt.data.Image;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The batching queue alone, with an operation that records its batches (no tensors). */
class BatchQueueTest {

    /** Records every batch's size; can be held closed so that requests pile up. */
    static final class Recorder implements Operation<Integer> {
        final List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch gate;
        final CountDownLatch started = new CountDownLatch(1);

        Recorder(boolean open) {
            gate = new CountDownLatch(open ? 0 : 1);
        }

        @Override
        public String name() {
            return "record";
        }

        @Override
        public List<Integer> run(List<Image> images) {
            started.countDown();
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sizes.add(images.size());
            List<Integer> out = new ArrayList<>();
            for (Image img : images) {
                out.add(img.width());
            }
            return out;
        }
    }

    private BatchQueue queue;

    @AfterEach
    void close() {
        if (queue != null) {
            queue.close();
        }
    }

    private static Image image(int w) {
        return new Image(3, 2, w, new float[3 * 2 * w]);
    }

    @Test
    void gathersRequestsThatArriveWhileTheWorkerIsBusyIntoOneBatch() throws Exception {
        Recorder op = new Recorder(false);
        queue = new BatchQueue(8, 1000, 64, new ServerMetrics());
        CompletableFuture<Integer> first = queue.submit(op, image(1), () -> false);
        op.started.await(10, TimeUnit.SECONDS);
        List<CompletableFuture<Integer>> rest = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            rest.add(queue.submit(op, image(1), () -> false));
        }
        op.gate.countDown();
        for (CompletableFuture<Integer> f : rest) {
            assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(first.get()).isEqualTo(1);
        assertThat(op.sizes).containsExactly(1, 8);
    }

    @Test
    void sendsAPartialBatchOnceTheOldestRequestHasWaitedMaxWait() throws Exception {
        Recorder op = new Recorder(true);
        queue = new BatchQueue(32, 50, 64, new ServerMetrics());
        long t0 = System.nanoTime();
        CompletableFuture<Integer> a = queue.submit(op, image(1), () -> false);
        CompletableFuture<Integer> b = queue.submit(op, image(1), () -> false);
        assertThat(a.get(10, TimeUnit.SECONDS) + b.get(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(op.sizes).containsExactly(2);
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
    }

    @Test
    void batchesOnlyImagesOfOneSizeAndAnswersEachItsOwnResult() throws Exception {
        Recorder op = new Recorder(false);
        queue = new BatchQueue(8, 1000, 64, new ServerMetrics());
        queue.submit(op, image(9), () -> false);
        op.started.await(10, TimeUnit.SECONDS);
        List<CompletableFuture<Integer>> fs = new ArrayList<>();
        int[] widths = {1, 2, 1, 2, 1};
        for (int w : widths) {
            fs.add(queue.submit(op, image(w), () -> false));
        }
        op.gate.countDown();
        for (int i = 0; i < widths.length; i++) {
            assertThat(fs.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(widths[i]);
        }
        assertThat(op.sizes).containsExactly(1, 3, 2);
    }

    @Test
    void fullQueueRefusesAtOnceWith503AndRetryAfter() throws Exception {
        Recorder op = new Recorder(false);
        queue = new BatchQueue(1, 0, 2, new ServerMetrics());
        queue.submit(op, image(1), () -> false);
        op.started.await(10, TimeUnit.SECONDS);
        queue.submit(op, image(1), () -> false);
        queue.submit(op, image(1), () -> false);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> queue.submit(op, image(1), () -> false)).isInstanceOfSatisfying(ApiException.class,
                e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.retryAfterSeconds()).isPositive();
                });
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(1));
        op.gate.countDown();
    }

    @Test
    void aGoneClientFreesItsSlotAndIsNeverComputed() throws Exception {
        Recorder op = new Recorder(false);
        queue = new BatchQueue(4, 0, 1, new ServerMetrics());
        queue.submit(op, image(1), () -> false);
        op.started.await(10, TimeUnit.SECONDS);
        AtomicBoolean gone = new AtomicBoolean();
        CompletableFuture<Integer> abandoned = queue.submit(op, image(7), gone::get);
        gone.set(true);
        // the queue is full (capacity 1) but its only entry's client has gone: the slot is free
        CompletableFuture<Integer> next = queue.submit(op, image(3), () -> false);
        assertThatThrownBy(abandoned::get).isInstanceOf(CancellationException.class);
        op.gate.countDown();
        assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(op.sizes).containsExactly(1, 1);
    }

    @Test
    void aTimedOutRequestIsDroppedBeforeCompute() throws Exception {
        Recorder op = new Recorder(false);
        queue = new BatchQueue(4, 0, 8, new ServerMetrics());
        queue.submit(op, image(1), () -> false);
        op.started.await(10, TimeUnit.SECONDS);
        CompletableFuture<Integer> late = queue.submit(op, image(5), () -> false);
        late.orTimeout(1, TimeUnit.MILLISECONDS);
        assertThatThrownBy(() -> late.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
        CompletableFuture<Integer> ok = queue.submit(op, image(2), () -> false);
        op.gate.countDown();
        assertThat(ok.get(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(op.sizes).containsExactly(1, 1);
    }
}

package ai.preempt.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.data.Image;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The batching queue's pixel budget ({@link BatchQueue.Limits#pixels}), with a streaming operation that takes as
 * many steps per image as its first pixel says and records the pixels it computes at once (no tensors).
 */
class BatchPixelBudgetTest {

    /** Streaming sessions of counted steps; the first step can be held until released. */
    private static final class Stepper implements StreamingOperation<String> {
        final AtomicLong computing = new AtomicLong();
        final AtomicLong most = new AtomicLong();
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release;

        Stepper(boolean hold) {
            release = new CountDownLatch(hold ? 1 : 0);
        }

        @Override
        public String name() {
            return "step";
        }

        @Override
        public Session<String> open(Image like) {
            long pixels = (long) like.height() * like.width();
            return new Session<>() {
                final Map<Long, int[]> left = new HashMap<>();
                final Map<Long, String> names = new HashMap<>();
                long next;

                @Override
                public long[] admit(List<Image> images) {
                    long[] ids = new long[images.size()];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = next++;
                        left.put(ids[i], new int[] {(int) images.get(i).chw()[0]});
                        names.put(ids[i], images.get(i).height() + "x" + images.get(i).width() + "#"
                                + (int) images.get(i).chw()[1]);
                    }
                    most.accumulateAndGet(computing.addAndGet(pixels * ids.length), Math::max);
                    return ids;
                }

                @Override
                public Map<Long, String> step() {
                    held.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    Map<Long, String> done = new HashMap<>();
                    for (Iterator<Map.Entry<Long, int[]>> it = left.entrySet().iterator(); it.hasNext();) {
                        Map.Entry<Long, int[]> e = it.next();
                        if (--e.getValue()[0] <= 0) {
                            done.put(e.getKey(), names.get(e.getKey()));
                            it.remove();
                        }
                    }
                    computing.addAndGet(-pixels * done.size());
                    return done;
                }

                @Override
                public void drop(long id) {
                    if (left.remove(id) != null) {
                        computing.addAndGet(-pixels);
                    }
                }

                @Override
                public int size() {
                    return left.size();
                }

                @Override
                public void close() {}
            };
        }
    }

    private BatchQueue queue;

    @AfterEach
    void close() {
        if (queue != null) {
            queue.close();
        }
    }

    /** @return an h×w image that takes {@code steps} steps; {@code tag} names it in the answers */
    private static Image image(int h, int w, int steps, int tag) {
        float[] data = new float[3 * h * w];
        data[0] = steps;
        data[1] = tag;
        return new Image(3, h, w, data);
    }

    @Test
    void runningSessionsNeverHoldMorePixelsThanTheBudgetAndUseAllOfIt() throws Exception {
        Stepper op = new Stepper(false);
        queue = new BatchQueue(new BatchQueue.Limits(8, 300), 2000, 64, new ServerMetrics());
        List<CompletableFuture<String>> fs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            fs.add(queue.submit(op, image(10, 10, 1 + i % 3, i), () -> false));
        }
        for (int i = 0; i < 8; i++) {
            assertThat(fs.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("10x10#" + i);
        }
        assertThat(op.most.get()).as("three 10x10 images at most, and three at some point").isEqualTo(300);
    }

    @Test
    void aPhotoLargerThanTheBudgetRunsAloneAndIsAnswered() throws Exception {
        Stepper op = new Stepper(false);
        queue = new BatchQueue(new BatchQueue.Limits(8, 300), 0, 64, new ServerMetrics());
        CompletableFuture<String> big = queue.submit(op, image(20, 20, 2, 1), () -> false);
        CompletableFuture<String> next = queue.submit(op, image(20, 20, 1, 2), () -> false);
        assertThat(big.get(30, TimeUnit.SECONDS)).isEqualTo("20x20#1");
        assertThat(next.get(30, TimeUnit.SECONDS)).isEqualTo("20x20#2");
        assertThat(op.most.get()).as("one 20x20 at a time").isEqualTo(400);
    }

    /**
     * Small images that leave at different steps would keep their session open forever if each freed slot took the
     * next small one; a larger photo that arrived before them would wait behind all of them. It is answered after
     * the small images that arrived before it and before every one that arrived after it.
     */
    @Test
    void aPhotoWaitingForRoomIsNotStarvedBySmallerUploadsThatArriveAfterIt() throws Exception {
        Stepper op = new Stepper(true);
        queue = new BatchQueue(new BatchQueue.Limits(8, 300), 0, 64, new ServerMetrics());
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<String>> fs = new ArrayList<>();
        fs.add(queue.submit(op, image(10, 10, 2, 0), () -> false));
        assertThat(op.held.await(30, TimeUnit.SECONDS)).isTrue(); // the worker is inside the first step
        for (int i = 1; i < 3; i++) {
            fs.add(queue.submit(op, image(10, 10, 2 + i, i), () -> false)); // fill the budget; leave at 3 and 4 steps
        }
        fs.add(queue.submit(op, image(15, 15, 1, 9), () -> false));
        for (int i = 3; i < 8; i++) {
            fs.add(queue.submit(op, image(10, 10, 3, i), () -> false));
        }
        fs.forEach(f -> f.thenAccept(order::add));
        op.release.countDown();
        for (CompletableFuture<String> f : fs) {
            f.get(30, TimeUnit.SECONDS);
        }
        assertThat(order.subList(0, 4)).as("answer order %s", order)
                .containsExactly("10x10#0", "10x10#1", "10x10#2", "15x15#9");
        assertThat(op.most.get()).isLessThanOrEqualTo(300);
    }

    /**
     * Plain requests (classify, attack) run between a session's steps while its tensors stay allocated: they get the
     * room the session leaves in the budget, one at a time when it leaves none, and are still answered.
     */
    @Test
    void plainRequestsBetweenStepsFitBesideTheSessionsPixels() throws Exception {
        Stepper op = new Stepper(true);
        BatchQueueTest.Recorder plain = new BatchQueueTest.Recorder(true);
        queue = new BatchQueue(new BatchQueue.Limits(8, 300), 2000, 64, new ServerMetrics());
        List<CompletableFuture<String>> fs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            fs.add(queue.submit(op, image(10, 10, 3, i), () -> false)); // one batch of 3 fills the budget
        }
        assertThat(op.held.await(30, TimeUnit.SECONDS)).isTrue(); // the session is inside its first step
        List<CompletableFuture<Integer>> plainAnswers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            plainAnswers.add(queue.submit(plain, image(10, 10, 1, i), () -> false));
        }
        op.release.countDown();
        for (CompletableFuture<String> f : fs) {
            f.get(30, TimeUnit.SECONDS);
        }
        for (CompletableFuture<Integer> f : plainAnswers) {
            assertThat(f.get(30, TimeUnit.SECONDS)).as("the plain request's own answer (its width)").isEqualTo(10);
        }
        assertThat(plain.sizes).as("no room beside 300 pixels of sessions: one plain image at a time")
                .containsExactly(1, 1, 1);
    }
}

package ai.preempt.server;

import ai.preempt.data.Image;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Dynamic batching in front of the single compute thread: a bounded queue of requests served by one worker,
 * which takes the oldest request, gathers further requests of the same operation and image size until it
 * holds {@code maxBatch} of them or the oldest has waited {@code maxWait}, and runs them as one batch.
 *
 * <p>Never blocks a caller: a full queue refuses at once ({@link ApiException#busy}, 503). A waiting request
 * whose future completes (timed out, cancelled because its client disconnected) leaves the queue at once, and
 * one whose client is found gone is dropped before it is batched: either way it frees its slot and costs no
 * compute.
 */
final class BatchQueue implements AutoCloseable {

    private final int maxBatch;
    private final long maxWaitNanos;
    private final int capacity;
    private final ServerMetrics metrics;
    private final ArrayDeque<Job<?>> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread worker;
    private volatile boolean running = true;

    /** A queued request. */
    private record Job<R>(Operation<R> op, Image image, CompletableFuture<R> result, BooleanSupplier clientGone,
            long enqueuedNanos) {
        boolean sameBatch(Job<?> o) {
            return op == o.op && image.channels() == o.image.channels() && image.height() == o.image.height()
                    && image.width() == o.image.width();
        }

        boolean abandoned() {
            return result.isDone() || clientGone.getAsBoolean();
        }
    }

    BatchQueue(int maxBatch, long maxWaitMs, int capacity, ServerMetrics metrics) {
        this.maxBatch = maxBatch;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        this.capacity = capacity;
        this.metrics = metrics;
        metrics.queueDepth(this::depth);
        this.worker = new Thread(this::serve, "preempt-batcher");
        worker.setDaemon(true);
        worker.start();
    }

    /**
     * Queues one image.
     *
     * @param clientGone true once the client has disconnected
     * @return the result, completed by the worker
     * @throws ApiException 503 when the queue is full or closed
     */
    <R> CompletableFuture<R> submit(Operation<R> op, Image image, BooleanSupplier clientGone) {
        CompletableFuture<R> f = new CompletableFuture<>();
        lock.lock();
        try {
            if (!running) {
                throw ApiException.busy("the service is shutting down", 1);
            }
            if (queue.size() >= capacity) {
                purge();
            }
            if (queue.size() >= capacity) {
                metrics.rejected();
                throw ApiException.busy("the service is busy (" + queue.size() + " requests waiting); retry shortly",
                        1);
            }
            Job<R> job = new Job<>(op, image, f, clientGone, System.nanoTime());
            queue.addLast(job);
            changed.signalAll();
            // cancelled or timed out while waiting: leave the queue at once
            f.whenComplete((r, e) -> {
                if (e != null) {
                    drop(job);
                }
            });
        } finally {
            lock.unlock();
        }
        return f;
    }

    private void drop(Job<?> job) {
        lock.lock();
        try {
            if (queue.remove(job)) {
                metrics.abandoned();
            }
        } finally {
            lock.unlock();
        }
    }

    /** @return requests waiting (not yet taken into a batch) */
    int depth() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Drops abandoned requests; call with the lock held. */
    private void purge() {
        for (Iterator<Job<?>> it = queue.iterator(); it.hasNext();) {
            Job<?> j = it.next();
            if (j.abandoned()) {
                it.remove();
                j.result().completeExceptionally(new CancellationException("the client has gone"));
                metrics.abandoned();
            }
        }
    }

    private void serve() {
        while (running) {
            List<Job<?>> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            if (!batch.isEmpty()) {
                run(batch);
            }
        }
    }

    /** Blocks until a batch is due; returns it (empty when closing). */
    private List<Job<?>> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (running) {
                purge();
                Job<?> head = queue.peekFirst();
                if (head == null) {
                    changed.await();
                    continue;
                }
                long wait = head.enqueuedNanos() + maxWaitNanos - System.nanoTime();
                int same = 0;
                for (Job<?> j : queue) {
                    same += head.sameBatch(j) ? 1 : 0;
                }
                if (same >= maxBatch || wait <= 0) {
                    List<Job<?>> batch = new ArrayList<>(Math.min(same, maxBatch));
                    for (Iterator<Job<?>> it = queue.iterator(); it.hasNext() && batch.size() < maxBatch;) {
                        Job<?> j = it.next();
                        if (head.sameBatch(j)) {
                            it.remove();
                            batch.add(j);
                        }
                    }
                    return batch;
                }
                changed.awaitNanos(wait);
            }
            return List.of();
        } finally {
            lock.unlock();
        }
    }

    @SuppressWarnings("unchecked")
    private <R> void run(List<Job<?>> batch) {
        Operation<R> op = (Operation<R>) batch.get(0).op();
        List<Image> images = new ArrayList<>(batch.size());
        for (Job<?> j : batch) {
            images.add(j.image());
        }
        long start = System.nanoTime();
        try {
            List<R> results = op.run(images);
            for (int i = 0; i < batch.size(); i++) {
                ((Job<R>) batch.get(i)).result().complete(results.get(i));
            }
        } catch (RuntimeException | Error e) {
            for (Job<?> j : batch) {
                j.result().completeExceptionally(e);
            }
        } finally {
            metrics.batch(op.name(), batch.size(), System.nanoTime() - start);
        }
    }

    /** Stops the worker after its current batch; waiting requests fail with 503. */
    @Override
    public void close() {
        lock.lock();
        try {
            running = false;
            for (Job<?> j : queue) {
                j.result().completeExceptionally(ApiException.busy("the service is shutting down", 1));
            }
            queue.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            worker.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

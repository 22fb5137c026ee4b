package ai.preempt.server;

import ai.preempt.data.Image;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Dynamic batching in front of the single compute thread: a bounded queue of requests served by one worker.
 * When idle, the worker takes the oldest request and gathers further requests of the same operation and image
 * size until it holds {@code maxBatch} of them or the oldest has waited {@code maxWait}. A plain {@link Operation}
 * runs such a batch at once. A {@link StreamingOperation} (robustification) runs it as a continuous batch: the
 * worker keeps a running session per operation and image size and, between its steps, admits waiting requests
 * of that kind up to {@code maxBatch} images in the session; each request is answered as soon as its own image
 * is done, not when the slowest of its batch is. Plain requests that arrive meanwhile run between steps, in batches
 * that fit the pixel budget beside the sessions (one at a time when the sessions fill it).
 *
 * <p>Memory: a batch's tensors grow with its pixels (fast robustification of 512×512 photos was measured at 5.2 GB
 * peak resident with 32 in a batch, 7.6 GB with 64), so besides {@code maxBatch} images the worker bounds the
 * pixels being computed in all its sessions together by {@link Limits#pixels}. A photo larger than that runs
 * alone. Streaming requests are admitted in arrival order across sizes, so a photo waiting for room holds back the
 * requests behind it: the running sessions drain and a stream of small uploads cannot starve it.
 *
 * <p>Never blocks a caller: a full queue refuses at once ({@link ApiException#busy}, 503). A waiting request
 * whose future completes (timed out, cancelled because its client disconnected) leaves the queue at once, and
 * one whose client is found gone is dropped before it is batched, or from its running session at the next step:
 * either way it frees its slot and costs no further compute.
 */
final class BatchQueue implements AutoCloseable {

    /**
     * How much one batch may hold.
     *
     * @param images images per batch (and per running session) at most
     * @param pixels pixels (height × width) being computed at once at most, over all running sessions; a single
     *     larger image still runs, alone
     */
    record Limits(int images, long pixels) {
        Limits {
            if (images < 1 || pixels < 1) {
                throw new IllegalArgumentException("batch limits must be positive: " + images + " images, " + pixels
                        + " pixels");
            }
        }

        /** @return at most {@code images} images, pixels unbounded */
        static Limits images(int images) {
            return new Limits(images, Long.MAX_VALUE);
        }
    }

    private final int maxBatch;
    private final long maxPixels;
    private final long maxWaitNanos;
    private final int capacity;
    private final ServerMetrics metrics;
    private final ArrayDeque<Job<?>> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread worker;
    private volatile boolean running = true;
    /** The worker's running sessions, by the job that opened them (its operation and size); worker thread only. */
    private final List<Running<?>> sessions = new ArrayList<>();

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

        long pixels() {
            return (long) image.height() * image.width();
        }
    }

    /** A running session of a streaming operation and the requests in it, by image id. */
    private static final class Running<R> {
        final Job<R> kind;
        final StreamingOperation.Session<R> session;
        final Map<Long, Job<R>> jobs = new HashMap<>();

        Running(Job<R> kind, StreamingOperation.Session<R> session) {
            this.kind = kind;
            this.session = session;
        }
    }

    /** A queue bounded by images per batch only (no pixel budget). */
    BatchQueue(int maxBatch, long maxWaitMs, int capacity, ServerMetrics metrics) {
        this(Limits.images(maxBatch), maxWaitMs, capacity, metrics);
    }

    BatchQueue(Limits limits, long maxWaitMs, int capacity, ServerMetrics metrics) {
        this.maxBatch = limits.images();
        this.maxPixels = limits.pixels();
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
        try {
            while (running) {
                List<Job<?>> batch;
                try {
                    batch = sessions.isEmpty() ? nextBatch() : readyPlainBatch();
                } catch (InterruptedException e) {
                    return;
                }
                if (!batch.isEmpty()) {
                    if (batch.get(0).op() instanceof StreamingOperation<?>) {
                        start(batch);
                    } else {
                        run(batch);
                    }
                }
                for (Running<?> r : List.copyOf(sessions)) {
                    admit(r);
                    step(r);
                }
                startWaitingSessions();
            }
        } finally {
            for (Running<?> r : sessions) {
                fail(r, ApiException.busy("the service is shutting down", 1));
            }
            sessions.clear();
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
                int limit = alone(head);
                if (same >= limit || wait <= 0) {
                    return take(head, limit);
                }
                changed.awaitNanos(wait);
            }
            return List.of();
        } finally {
            lock.unlock();
        }
    }

    /**
     * While sessions run: the oldest waiting plain request and others like it, without waiting (may be empty), as
     * many as fit the pixel budget beside what the sessions compute (their tensors stay allocated while it runs), at
     * least one so that a plain request is never starved by a full session.
     */
    private List<Job<?>> readyPlainBatch() {
        lock.lock();
        try {
            purge();
            for (Job<?> j : queue) {
                if (!(j.op() instanceof StreamingOperation<?>)) {
                    return take(j, Math.max(1, room(j)));
                }
            }
            return List.of();
        } finally {
            lock.unlock();
        }
    }

    /** @return images like {@code j} one batch may hold when nothing else runs: at least one */
    private int alone(Job<?> j) {
        return (int) Math.max(1, Math.min(maxBatch, maxPixels / j.pixels()));
    }

    /** @return images like {@code j} that fit beside what the running sessions compute now (may be 0) */
    private int room(Job<?> j) {
        long used = 0;
        for (Running<?> r : sessions) {
            used += r.session.computing() * r.kind.pixels();
        }
        return (int) Math.min(maxBatch, Math.max(0, maxPixels - used) / j.pixels());
    }

    /**
     * Removes and returns up to {@code max} queued requests like {@code head}, oldest first; call with the lock held.
     * Streaming requests are taken in arrival order across sizes: never past an older streaming request of a kind no
     * session runs, which starts first (or, when it does not fit the pixel budget, waits while the running sessions
     * drain instead of being overtaken by ever newer requests of a running kind).
     */
    private List<Job<?>> take(Job<?> head, int max) {
        List<Job<?>> batch = new ArrayList<>();
        boolean streaming = head.op() instanceof StreamingOperation<?>;
        for (Iterator<Job<?>> it = queue.iterator(); it.hasNext() && batch.size() < max;) {
            Job<?> j = it.next();
            if (head.sameBatch(j)) {
                it.remove();
                batch.add(j);
            } else if (streaming && j.op() instanceof StreamingOperation<?>
                    && sessions.stream().noneMatch(r -> r.kind.sameBatch(j))) {
                break;
            }
        }
        return batch;
    }

    /** Opens a session for a batch of a streaming operation and admits the batch. */
    @SuppressWarnings("unchecked")
    private <R> void start(List<Job<?>> batch) {
        Job<R> kind = (Job<R>) batch.get(0);
        StreamingOperation.Session<R> session;
        long start = System.nanoTime();
        try {
            session = ((StreamingOperation<R>) kind.op()).open(kind.image());
        } catch (RuntimeException | Error e) {
            batch.forEach(j -> j.result().completeExceptionally(e));
            return;
        } finally {
            metrics.compute().add(ComputeTime.Phase.ADMIT, System.nanoTime() - start);
        }
        Running<R> r = new Running<>(kind, session);
        sessions.add(r);
        admit(r, (List<Job<R>>) (List<?>) batch);
    }

    /** Admits waiting requests of the session's kind, up to {@code maxBatch} images being computed in the session. */
    @SuppressWarnings("unchecked")
    private <R> void admit(Running<R> r) {
        List<Job<?>> more;
        lock.lock();
        try {
            purge();
            more = take(r.kind, Math.min(maxBatch - r.session.computing(), room(r.kind)));
        } finally {
            lock.unlock();
        }
        if (!more.isEmpty()) {
            admit(r, (List<Job<R>>) (List<?>) more);
        }
    }

    private <R> void admit(Running<R> r, List<Job<R>> jobs) {
        List<Image> images = new ArrayList<>(jobs.size());
        for (Job<R> j : jobs) {
            images.add(j.image());
        }
        long start = System.nanoTime();
        try {
            long[] ids = r.session.admit(images);
            for (int i = 0; i < ids.length; i++) {
                r.jobs.put(ids[i], jobs.get(i));
            }
        } catch (RuntimeException | Error e) {
            jobs.forEach(j -> j.result().completeExceptionally(e));
        } finally {
            metrics.compute().add(ComputeTime.Phase.ADMIT, System.nanoTime() - start);
        }
    }

    /** Opens sessions for waiting streaming requests of a kind no session runs (another size or operation). */
    private void startWaitingSessions() {
        List<Job<?>> batch = List.of();
        lock.lock();
        try {
            purge();
            for (Job<?> j : queue) {
                if (j.op() instanceof StreamingOperation<?> && sessions.stream().noneMatch(r -> r.kind.sameBatch(j))) {
                    batch = take(j, sessions.isEmpty() ? alone(j) : room(j));
                    break;
                }
            }
        } finally {
            lock.unlock();
        }
        if (!batch.isEmpty()) {
            start(batch);
        }
    }

    /**
     * One step of a session: drops the requests whose clients have gone, steps, answers the requests whose images
     * are done; closes the session once it is empty.
     */
    private <R> void step(Running<R> r) {
        for (Iterator<Map.Entry<Long, Job<R>>> it = r.jobs.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Long, Job<R>> e = it.next();
            if (e.getValue().abandoned()) {
                it.remove();
                r.session.drop(e.getKey());
                e.getValue().result().completeExceptionally(new CancellationException("the client has gone"));
                metrics.abandoned();
            }
        }
        if (r.session.size() > 0) {
            int rows = r.session.size();
            long finished = r.session.finishNanos();
            long start = System.nanoTime();
            try {
                Map<Long, R> done = r.session.step();
                long nanos = System.nanoTime() - start;
                long finishing = r.session.finishNanos() - finished;
                metrics.compute().add(ComputeTime.Phase.STEP, nanos - finishing);
                metrics.compute().add(ComputeTime.Phase.VERDICT, finishing);
                metrics.step(r.kind.op().name(), rows, done.size(), nanos);
                // answered after the metrics, so that a client that reads them afterwards finds its step counted
                for (Map.Entry<Long, R> d : done.entrySet()) {
                    Job<R> j = r.jobs.remove(d.getKey());
                    if (j != null) {
                        j.result().complete(d.getValue());
                    }
                }
            } catch (RuntimeException | Error e) {
                metrics.compute().add(ComputeTime.Phase.STEP, System.nanoTime() - start);
                fail(r, e);
                sessions.remove(r);
                return;
            }
        }
        if (r.session.size() == 0) {
            r.session.close();
            sessions.remove(r);
        }
    }

    /** Fails every request of a session and closes it. */
    private static <R> void fail(Running<R> r, Throwable e) {
        r.jobs.values().forEach(j -> j.result().completeExceptionally(e));
        r.jobs.clear();
        r.session.close();
    }

    @SuppressWarnings("unchecked")
    private <R> void run(List<Job<?>> batch) {
        Operation<R> op = (Operation<R>) batch.get(0).op();
        List<Image> images = new ArrayList<>(batch.size());
        for (Job<?> j : batch) {
            images.add(j.image());
        }
        long start = System.nanoTime();
        List<R> results = null;
        Throwable failure = null;
        try {
            results = op.run(images);
            if (results.size() != batch.size()) {
                throw new IllegalStateException(op.name() + " answered " + results.size() + " of " + batch.size()
                        + " images");
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        long nanos = System.nanoTime() - start;
        metrics.compute().add(ComputeTime.Phase.BATCH, nanos);
        metrics.batch(op.name(), batch.size(), nanos);
        // answered after the metrics, so that a client that reads them afterwards finds its batch counted
        for (int i = 0; i < batch.size(); i++) {
            CompletableFuture<R> f = ((Job<R>) batch.get(i)).result();
            if (failure == null) {
                f.complete(results.get(i));
            } else {
                f.completeExceptionally(failure);
            }
        }
    }

    /** Stops the worker after its current batch or step; waiting and running requests fail with 503. */
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

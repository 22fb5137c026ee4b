package ai.preempt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.preempt.data.Image;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The compute thread's time by phase ({@code preempt_compute_seconds_total}): a running batch's steps are split
 * into robustification and the finishing its session reports, whole batches count as batch, and idle is the rest
 * of the wall time. Fake operations, no tensors; amounts are compared with what was recorded, nothing is timed.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class ComputeTimeTest {

    /** Each image takes {@code steps} steps; a step in which images finish reports {@link #FINISH_NANOS} of finishing. */
    private static final class Fake implements StreamingOperation<Integer> {
        static final long FINISH_NANOS = 300_000;
        final int steps;
        /** Finishing reported by every session. */
        final AtomicLong reported = new AtomicLong();

        Fake(int steps) {
            this.steps = steps;
        }

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public Session<Integer> open(Image like) {
            return new Session<>() {
                final Map<Long, Integer> left = new HashMap<>();
                long nextId;
                long finished;

                @Override
                public long[] admit(List<Image> images) {
                    long[] ids = new long[images.size()];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = nextId++;
                        left.put(ids[i], steps);
                    }
                    return ids;
                }

                @Override
                public Map<Long, Integer> step() {
                    spin(2 * FINISH_NANOS); // a step lasts longer than the finishing it reports
                    Map<Long, Integer> done = new HashMap<>();
                    left.replaceAll((id, n) -> n - 1);
                    left.entrySet().removeIf(e -> {
                        boolean d = e.getValue() == 0;
                        if (d) {
                            done.put(e.getKey(), 1);
                        }
                        return d;
                    });
                    if (!done.isEmpty()) {
                        finished += FINISH_NANOS;
                        reported.addAndGet(FINISH_NANOS);
                    }
                    return done;
                }

                @Override
                public long finishNanos() {
                    return finished;
                }

                @Override
                public void drop(long id) {
                    left.remove(id);
                }

                @Override
                public int size() {
                    return left.size();
                }

                @Override
                public void close() {
                    left.clear();
                }
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

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    private static Image image() {
        return new Image(3, 2, 2, new float[12]);
    }

    /** @return the value of a sample of the Prometheus text, e.g. {@code name{tag="v"} 1.5} */
    private static double sample(String scrape, String name, String tag) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*" + Pattern.quote(tag) + "[^}]*\\} (\\S+)$")
                .matcher(scrape);
        assertThat(m.find()).as(name + " with " + tag + " in\n" + scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aStepIsSplitIntoRobustifyAndTheFinishingItsSessionReports() throws Exception {
        Fake op = new Fake(3);
        ServerMetrics metrics = new ServerMetrics();
        queue = new BatchQueue(4, 0, 16, metrics);
        List<CompletableFuture<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            fs.add(queue.submit(op, image(), () -> false));
        }
        for (CompletableFuture<Integer> f : fs) {
            assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        }
        ComputeTime.Snapshot t = metrics.compute().snapshot();
        String scrape = metrics.scrape();
        double steps = sample(scrape, "preempt_batch_duration_seconds_sum", "operation=\"fake\"");

        assertThat(op.reported.get()).isPositive();
        assertThat(t.of(ComputeTime.Phase.VERDICT)).isCloseTo(op.reported.get() / 1e9, within(1e-12));
        assertThat(t.of(ComputeTime.Phase.STEP) + t.of(ComputeTime.Phase.VERDICT)).isCloseTo(steps, within(1e-9));
        assertThat(t.of(ComputeTime.Phase.STEP)).isPositive();
        assertThat(t.of(ComputeTime.Phase.ADMIT)).isPositive();
        assertThat(t.of(ComputeTime.Phase.BATCH)).isZero();
        for (ComputeTime.Phase p : ComputeTime.Phase.values()) {
            assertThat(sample(scrape, "preempt_compute_seconds_total", "phase=\"" + p.label() + "\"")).isNotNegative();
        }
        assertThat(sample(scrape, "preempt_compute_seconds_total", "phase=\"verdict\""))
                .isCloseTo(op.reported.get() / 1e9, within(1e-9));
    }

    @Test
    void wholeBatchesOfPlainOperationsCountAsBatch() throws Exception {
        Operation<Integer> op = new Operation<>() {
            @Override
            public String name() {
                return "plain";
            }

            @Override
            public List<Integer> run(List<Image> images) {
                spin(100_000);
                return images.stream().map(i -> 1).toList();
            }
        };
        ServerMetrics metrics = new ServerMetrics();
        queue = new BatchQueue(4, 0, 16, metrics);
        assertThat(queue.submit(op, image(), () -> false).get(30, TimeUnit.SECONDS)).isEqualTo(1);
        ComputeTime.Snapshot t = metrics.compute().snapshot();
        double batches = sample(metrics.scrape(), "preempt_batch_duration_seconds_sum", "operation=\"plain\"");

        assertThat(t.of(ComputeTime.Phase.BATCH)).isCloseTo(batches, within(1e-9)).isPositive();
        assertThat(t.of(ComputeTime.Phase.STEP) + t.of(ComputeTime.Phase.VERDICT) + t.of(ComputeTime.Phase.ADMIT))
                .isZero();
    }

    @Test
    void idleIsTheWallTimeNotSpentInAnyPhase() {
        long t0 = System.nanoTime();
        ComputeTime t = new ComputeTime();
        ComputeTime.Snapshot before = t.snapshot();
        spin(2_000_000);
        t.add(ComputeTime.Phase.STEP, 1_000_000);
        t.add(ComputeTime.Phase.VERDICT, 500_000);
        ComputeTime.Snapshot after = t.snapshot();
        double wall = (System.nanoTime() - t0) / 1e9;
        ComputeTime.Snapshot d = after.since(before);

        assertThat(d.of(ComputeTime.Phase.STEP)).isCloseTo(1e-3, within(1e-12));
        assertThat(d.of(ComputeTime.Phase.VERDICT)).isCloseTo(5e-4, within(1e-12));
        // busy + idle = the wall time since the start, at each snapshot; the spin made it longer than the busy time
        assertThat(after.of(ComputeTime.Phase.IDLE)).isPositive();
        assertThat(after.total()).isGreaterThan(d.of(ComputeTime.Phase.STEP) + d.of(ComputeTime.Phase.VERDICT))
                .isLessThanOrEqualTo(wall).isCloseTo(after.of(ComputeTime.Phase.IDLE) + 1.5e-3, within(1e-12));
        assertThat(after.byLabel()).containsOnlyKeys("admit", "robustify", "verdict", "batch", "idle");
        assertThatThrownBy(() -> t.add(ComputeTime.Phase.IDLE, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}

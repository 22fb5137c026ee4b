package ai.preempt.server;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where the batch worker's time goes. All tensor work runs on one compute thread, driven by the one
 * {@link BatchQueue} worker, so the worker's wall time split by what it was doing is the compute thread's: the
 * service's capacity and what uses it. Recorded per call into the compute thread (a few per outer step), so it
 * costs two clock reads per call.
 */
final class ComputeTime {

    /** What the worker was doing. */
    enum Phase {
        /** Photos joining a running batch (decoding into tensors, their first labels), and opening batches. */
        ADMIT("admit"),
        /**
         * Outer steps of a running batch (robustification), without the verdicts judged in them (the fastest mode,
         * which robustifies whole batches, counts its verdicts here).
         */
        STEP("robustify"),
        /** Judging finished photos (labels, quantisation, Lemma 1's robust loss, JPEG survival, PSNR/SSIM). */
        VERDICT("verdict"),
        /** Whole batches of the plain operations (classify, attack). */
        BATCH("batch"),
        /** Nothing to compute: waiting for requests or for a batch to fill. */
        IDLE("idle");

        private final String label;

        Phase(String label) {
            this.label = label;
        }

        /** @return the phase's name in metrics and reports */
        String label() {
            return label;
        }
    }

    private final Map<Phase, LongAdder> nanos = new EnumMap<>(Phase.class);
    private final long startNanos = System.nanoTime();

    ComputeTime() {
        for (Phase p : Phase.values()) {
            nanos.put(p, new LongAdder());
        }
    }

    /** Adds {@code ns} nanoseconds to a busy phase. */
    void add(Phase phase, long ns) {
        if (phase == Phase.IDLE) {
            throw new IllegalArgumentException("idle time is what is left, not recorded");
        }
        nanos.get(phase).add(ns);
    }

    /** @return seconds in each phase since the service started; idle is the rest of the wall time */
    Snapshot snapshot() {
        long wall = System.nanoTime() - startNanos;
        Map<Phase, Double> s = new EnumMap<>(Phase.class);
        long busy = 0;
        for (Phase p : Phase.values()) {
            if (p != Phase.IDLE) {
                long v = nanos.get(p).sum();
                busy += v;
                s.put(p, v / 1e9);
            }
        }
        s.put(Phase.IDLE, Math.max(0, wall - busy) / 1e9);
        return new Snapshot(s);
    }

    /** Seconds per phase (every phase present). */
    record Snapshot(Map<Phase, Double> seconds) {
        Snapshot {
            seconds = Map.copyOf(seconds);
        }

        /** @return the seconds of one phase */
        double of(Phase p) {
            return seconds.get(p);
        }

        /** @return the sum over every phase (the wall time covered) */
        double total() {
            return seconds.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        /** @return seconds by phase name, in the order of {@link Phase} */
        Map<String, Double> byLabel() {
            Map<String, Double> m = new LinkedHashMap<>();
            for (Phase p : Phase.values()) {
                m.put(p.label(), of(p));
            }
            return m;
        }

        /** @return the seconds spent after {@code before} */
        Snapshot since(Snapshot before) {
            Map<Phase, Double> d = new EnumMap<>(Phase.class);
            for (Phase p : Phase.values()) {
                d.put(p, of(p) - before.of(p));
            }
            return new Snapshot(d);
        }
    }
}

package ai.preempt.protect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.preempt.data.Image;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Scopes;
import ai.preempt.robustify.Quantizer;
import ai.preempt.robustify.RobustifyResult;
import ai.preempt.robustify.RobustifyStream;
import ai.preempt.robustify.Robustifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Protection of photos of one size as a stream ({@link Protector#stream}): photos join while others are being
 * robustified and leave with the same verdict {@link Protector#protectBatch} gives, as soon as their own
 * robustification is done, or, with a {@link VerdictGrouping}, once a few finished photos can be judged together.
 * Every call runs on the engine's compute thread; not thread-safe. Owns its arrays.
 */
public final class ProtectStream implements AutoCloseable {

    /** A finished photo: its id from {@link #admit} and its result. */
    public record Done(long id, Protector.Protected result) {}

    /**
     * When finished photos are judged. The verdict (Lemma 1's robust loss: m·(K + 1) passes, and the server's
     * labels) of a photo that finishes alone runs at batch 1; judging finished photos together costs a fraction
     * of that per photo, at the price of a few outer steps of latency. A photo's verdict does not depend on what
     * it is judged with (per-image random streams; batch-invariant passes where the caller asks for them).
     *
     * @param minPhotos judge as soon as this many finished photos wait (1: every photo when it finishes)
     * @param maxWaitSteps judge anyway once the earliest waiting photo has waited this many steps
     */
    public record VerdictGrouping(int minPhotos, int maxWaitSteps) {
        /** Every photo is judged in the step it finishes. */
        public static final VerdictGrouping IMMEDIATE = new VerdictGrouping(1, 0);

        public VerdictGrouping {
            if (minPhotos < 1 || maxWaitSteps < 0) {
                throw new IllegalArgumentException("verdict grouping needs minPhotos >= 1 and maxWaitSteps >= 0, got "
                        + minPhotos + " and " + maxWaitSteps);
            }
        }
    }

    /** What a photo in the stream needs for its verdict. */
    private record Entry(NDArray x0, String name) {}

    /** A photo whose robustification finished and that waits for its verdict since step {@code since}. */
    private record Waiting(RobustifyStream.Finished finished, long since) {}

    private final Protector.Served served;
    private final VerdictGrouping grouping;
    private final NDManager manager;
    private final RobustifyStream stream;
    private final Map<Long, Entry> entries = new HashMap<>();
    private final List<Waiting> waiting = new ArrayList<>();
    /** Steps taken so far. */
    private long steps;
    /** Wall time spent judging, ns. */
    private long verdictNanos;

    ProtectStream(Protector.Served served, Robustifier robustifier, VerdictGrouping grouping) {
        this.served = served;
        this.grouping = grouping;
        this.manager = PreemptEngine.newManager();
        try {
            this.stream = PreemptEngine.call(() -> robustifier.open(served.robustifyWith, manager));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Adds photos (of this stream's size, on the 8-bit grid) at the start of their own robustification; each
     * protects the server's prediction.
     *
     * @return one id per photo, in order
     */
    public long[] admit(List<Image> photos, List<String> names) {
        return PreemptEngine.call(() -> Scopes.keepAll(() -> {
            NDList parts = new NDList();
            for (Image im : photos) {
                parts.add(im.toNDArray(manager));
            }
            NDArray x0 = Quantizer.to8bit(NDArrays.concat(parts));
            long[] ids = stream.admit(x0, null);
            for (int i = 0; i < ids.length; i++) {
                NDArray row = x0.get(i).expandDims(0);
                NDScope.unregister(row);
                entries.put(ids[i], new Entry(row, names.get(i)));
            }
            return ids;
        }));
    }

    /** @return photos being protected */
    public int size() {
        return entries.size();
    }

    /** @return whether no photo is being protected */
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** @return photos whose robustification finished and that wait for their verdict */
    public int awaitingVerdict() {
        return waiting.size();
    }

    /** @return wall time spent so far judging finished photos (a part of {@link #step}'s), ns */
    public long verdictNanos() {
        return verdictNanos;
    }

    /**
     * One outer step of every photo being robustified; judges the finished photos when the grouping says so, and
     * always when no photo is left being robustified.
     *
     * @return the photos judged in this step, with their verdicts
     */
    public List<Done> step() {
        return PreemptEngine.call(() -> Scopes.keepAll(() -> {
            for (RobustifyStream.Finished d : stream.step()) {
                waiting.add(new Waiting(d, steps));
            }
            boolean judge = !waiting.isEmpty() && (waiting.size() >= grouping.minPhotos()
                    || steps - waiting.get(0).since() >= grouping.maxWaitSteps() || stream.isEmpty());
            steps++;
            if (!judge) {
                return List.of();
            }
            long start = System.nanoTime();
            List<RobustifyStream.Finished> finished = waiting.stream().map(Waiting::finished).toList();
            waiting.clear();
            int n = finished.size();
            NDList x0 = new NDList(n);
            NDList xs = new NDList(n);
            List<String> names = new ArrayList<>(n);
            long[] labels = new long[n];
            float[] loss = new float[n];
            long[] passes = new long[n];
            int[] outerSteps = new int[n];
            for (int i = 0; i < n; i++) {
                RobustifyStream.Finished d = finished.get(i);
                Entry e = entries.remove(d.id());
                NDScope.register(e.x0()); // both closed with this step's scope
                NDScope.register(d.image());
                x0.add(e.x0());
                xs.add(d.image());
                names.add(e.name());
                labels[i] = d.label();
                loss[i] = d.robustLoss();
                passes[i] = d.passes();
                outerSteps[i] = d.outerSteps();
            }
            List<Protector.Protected> verdicts = served.verdicts(NDArrays.concat(x0),
                    new RobustifyResult(NDArrays.concat(xs), labels, loss, passes, outerSteps), names, null);
            List<Done> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(new Done(finished.get(i).id(), verdicts.get(i)));
            }
            verdictNanos += System.nanoTime() - start;
            return out;
        }));
    }

    /** Drops a photo (e.g. its client left); @return whether it was in the stream */
    public boolean drop(long id) {
        return PreemptEngine.call(() -> {
            Entry e = entries.remove(id);
            if (e == null) {
                return false;
            }
            e.x0().close();
            waiting.removeIf(w -> {
                boolean it = w.finished().id() == id;
                if (it) {
                    w.finished().image().close();
                }
                return it;
            });
            stream.drop(id);
            return true;
        });
    }

    @Override
    public void close() {
        PreemptEngine.run(() -> {
            stream.close();
            manager.close();
            entries.clear();
            waiting.clear();
        });
    }
}

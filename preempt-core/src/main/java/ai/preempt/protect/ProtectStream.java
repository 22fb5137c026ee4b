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
 * robustification is done. Every call runs on the engine's compute thread; not thread-safe. Owns its arrays.
 */
public final class ProtectStream implements AutoCloseable {

    /** A finished photo: its id from {@link #admit} and its result. */
    public record Done(long id, Protector.Protected result) {}

    /** What a photo in the stream needs for its verdict. */
    private record Entry(NDArray x0, String name) {}

    private final Protector.Served served;
    private final NDManager manager;
    private final RobustifyStream stream;
    private final Map<Long, Entry> entries = new HashMap<>();

    ProtectStream(Protector.Served served, Robustifier robustifier) {
        this.served = served;
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

    /**
     * One outer step of every photo.
     *
     * @return the photos that finished, with their verdicts
     */
    public List<Done> step() {
        return PreemptEngine.call(() -> Scopes.keepAll(() -> {
            List<RobustifyStream.Finished> finished = stream.step();
            if (finished.isEmpty()) {
                return List.of();
            }
            int n = finished.size();
            NDList x0 = new NDList(n);
            NDList xs = new NDList(n);
            List<String> names = new ArrayList<>(n);
            long[] labels = new long[n];
            float[] loss = new float[n];
            long[] passes = new long[n];
            int[] steps = new int[n];
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
                steps[i] = d.outerSteps();
            }
            List<Protector.Protected> verdicts = served.verdicts(NDArrays.concat(x0),
                    new RobustifyResult(NDArrays.concat(xs), labels, loss, passes, steps), names, null);
            List<Done> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(new Done(finished.get(i).id(), verdicts.get(i)));
            }
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
        });
    }
}

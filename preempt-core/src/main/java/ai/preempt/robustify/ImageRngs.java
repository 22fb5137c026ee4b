package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.preempt.engine.Rng;
import ai.preempt.engine.Scopes;
import ai.preempt.threat.RandomStart;
import ai.preempt.threat.ThreatModel;

/**
 * One random stream per image, keyed by the seed and that image's own pixels, so an image draws the same
 * numbers whichever batch it is in, wherever in the batch, and whichever images left the batch before it.
 * Rows follow the active batch: {@link #select} keeps the streams of the images that stay.
 */
final class ImageRngs {

    private final Rng[] rows;

    private ImageRngs(Rng[] rows) {
        this.rows = rows;
    }

    /** @return a stream per row of {@code x}, each determined by {@code seed} and that row's content */
    static ImageRngs of(long seed, NDArray x) {
        Rng[] r = new Rng[(int) x.getShape().get(0)];
        for (int i = 0; i < r.length; i++) {
            int row = i;
            r[i] = Scopes.keepAll(() -> Rng.forBatch(seed, x.get(row).expandDims(0)));
        }
        return new ImageRngs(r);
    }

    /** @return the streams of the given rows (positions), in order; the streams are shared, not copied */
    ImageRngs select(int[] keep) {
        Rng[] r = new Rng[keep.length];
        for (int j = 0; j < keep.length; j++) {
            r[j] = rows[keep[j]];
        }
        return new ImageRngs(r);
    }

    /** @return random offsets of {@code threat} for the rows of {@code x}, row i drawn from stream i */
    NDArray offsets(ThreatModel threat, NDArray x, RandomStart mode) {
        if (x.getShape().get(0) != rows.length) {
            throw new IllegalStateException("batch of " + x.getShape().get(0) + " rows for " + rows.length + " streams");
        }
        return Scopes.keep(() -> {
            NDList parts = new NDList(rows.length);
            for (int i = 0; i < rows.length; i++) {
                parts.add(threat.randomOffset(x.get(i).expandDims(0), mode, rows[i]));
            }
            return NDArrays.concat(parts);
        });
    }
}

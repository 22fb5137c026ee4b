package ai.preempt.robustify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rows;
import ai.preempt.model.Classifier;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The outer loop shared by both robustifiers (and by the reconstruction of Algorithm 3, which ascends
 * instead of descending): T steps of "robust loss and first-order gradient, then one optimiser update" per
 * image, run by a {@link RobustifyStream}; a batch is a stream into which every image is admitted at once.
 * Subclasses own the parametrisation and the update rule.
 */
abstract class OuterLoop implements Robustifier {

    protected final RobustifyConfig cfg;
    /** +1 descends the robust loss (robustification), −1 ascends it (reconstruction). */
    protected final float direction;

    OuterLoop(RobustifyConfig cfg, boolean ascend) {
        this.cfg = cfg;
        this.direction = ascend ? -1f : 1f;
    }

    @Override
    public RobustifyConfig config() {
        return cfg;
    }

    /**
     * Optimiser state of the images being optimised: per-image tensors (first axis = image), row-aligned, which
     * follow the batch as images leave ({@link #compact}) and join ({@link #append}). Owns its tensors.
     */
    abstract static class State implements AutoCloseable {
        /** The per-image tensors; the first is the parameter being optimised. */
        protected NDArray[] rows;

        /** @param rows the per-image tensors (owned from now on), the optimised parameter first */
        State(NDArray... rows) {
            NDScope.unregister(rows);
            this.rows = rows;
        }

        /** @return the tensor being optimised */
        NDArray param() {
            return rows[0];
        }

        /** @return x_s of the current parameter (may be the parameter itself: the caller neither closes nor changes it) */
        abstract NDArray image();

        /**
         * @return x_s of the current parameter and the chain rule back to it, for one evaluation of the robust loss
         *     (valid until the next {@link #update})
         */
        abstract RobustLoss.Point point();

        /**
         * Applies one update with the gradient of the robust loss (signed for descent).
         *
         * @param t per image, the 0-based number of its update
         */
        abstract void update(NDArray grad, int[] t);

        /** As {@link #update(NDArray, int[])} with every image at update {@code t}. */
        void update(NDArray grad, int t) {
            int[] all = new int[(int) grad.getShape().get(0)];
            Arrays.fill(all, t);
            update(grad, all);
        }

        /** @return a state of the same kind over the given tensors */
        abstract State with(NDArray[] tensors);

        /** Keeps only the given rows (positions) of every per-image tensor, in order. */
        void compact(int[] keep) {
            NDArray[] next = select(keep);
            close();
            rows = next;
        }

        /** Called when the tensors changed (update, rows kept or added, close): drops what was derived from them. */
        protected void changed() {}

        /** @return a separate state of the given rows (positions), e.g. to evaluate them on their own */
        State subset(int[] keep) {
            return with(select(keep));
        }

        /** Adds the rows of {@code other} (of the same kind; closed here) after this state's rows. */
        void append(State other) {
            NDArray[] next = new NDArray[rows.length];
            for (int k = 0; k < rows.length; k++) {
                next[k] = NDArrays.concat(new NDList(rows[k], other.rows[k]));
            }
            NDScope.unregister(next);
            close();
            other.close();
            rows = next;
            changed();
        }

        /** Replaces tensor {@code k} by {@code next}, closing the old one; keeps {@code next} out of any scope. */
        protected void replace(int k, NDArray next) {
            NDScope.unregister(next);
            rows[k].close();
            rows[k] = next;
            changed();
        }

        private NDArray[] select(int[] keep) {
            NDArray[] next = new NDArray[rows.length];
            for (int k = 0; k < rows.length; k++) {
                next[k] = Rows.select(rows[k], keep);
            }
            NDScope.unregister(next);
            return next;
        }

        @Override
        public void close() {
            changed();
            for (NDArray a : rows) {
                a.close();
            }
        }
    }

    /** @return a fresh optimiser state starting at x_start (inside B_δ(x0)); the state owns its copies */
    abstract State init(NDArray x0, NDArray xStart);

    @Override
    public RobustifyStream open(Classifier f, NDManager results) {
        if (cfg.fastest() != null) {
            throw new UnsupportedOperationException("the fastest mode runs whole batches only (robustify)");
        }
        return new RobustifyStream(this, f, results);
    }

    @Override
    public RobustifyResult robustify(Classifier f, NDArray x0, NDArray labels) {
        if (cfg.fastest() != null) {
            return new FastestLoop(this).run(f, x0, labels);
        }
        return PreemptEngine.call(() -> {
            int n = (int) x0.getShape().get(0);
            float[] loss = new float[n];
            long[] passes = new long[n];
            int[] stepsTaken = new int[n];
            long[] yArr = new long[n];
            NDArray[] finished = new NDArray[n];
            try (RobustifyStream stream = open(f, x0.getManager())) {
                long[] ids = stream.admit(x0, labels);
                Map<Long, Integer> row = new HashMap<>();
                for (int i = 0; i < n; i++) {
                    row.put(ids[i], i);
                }
                while (!stream.isEmpty()) {
                    for (RobustifyStream.Finished d : stream.step()) {
                        int i = row.get(d.id());
                        finished[i] = d.image();
                        yArr[i] = d.label();
                        loss[i] = d.robustLoss();
                        passes[i] = d.passes();
                        stepsTaken[i] = d.outerSteps();
                    }
                }
            }
            NDArray xs = NDArrays.concat(new NDList(finished));
            for (NDArray a : finished) {
                a.close();
            }
            return new RobustifyResult(xs, yArr, loss, passes, stepsTaken);
        });
    }
}

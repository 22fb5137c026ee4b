package ai.preempt.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import org.junit.jupiter.api.Test;

/** A resize keeps its weight tables between calls; they must follow each call's sizes. */
class ResizeTest {

    @Test
    void oneResizeServesPhotosOfEverySizeAsAFreshResizeDoes() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                Resize reused = Resize.shorterSide(32, Resize.Kernel.ANTIALIASED);
                Rng rng = new Rng(5);
                // same output sizes along some axis, different inputs: a table keyed by the output alone is wrong
                for (int[] hw : new int[][] {{64, 48}, {64, 40}, {40, 64}, {48, 64}, {64, 48}}) {
                    NDArray x = rng.uniform(m, new Shape(1, 3, hw[0], hw[1]), 0, 1);
                    Resize fresh = Resize.shorterSide(32, Resize.Kernel.ANTIALIASED);
                    assertThat(reused.apply(x).toFloatArray()).as("forward %dx%d", hw[0], hw[1])
                            .containsExactly(fresh.apply(x).toFloatArray());
                    int[] out = fresh.outputSize(hw);
                    NDArray g = rng.uniform(m, new Shape(1, 3, out[0], out[1]), -1, 1);
                    assertThat(reused.adjoint(g, hw).toFloatArray()).as("adjoint %dx%d", hw[0], hw[1])
                            .containsExactly(fresh.adjoint(g, hw).toFloatArray());
                }
            }
        });
    }
}

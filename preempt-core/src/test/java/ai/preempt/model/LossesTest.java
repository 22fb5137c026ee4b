package ai.preempt.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.preempt.engine.PreemptEngine;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class LossesTest {

    private static final float[][] LOGITS = {
        {2f, 5f, 1f, -1f, 0.5f}, // label 0: π = (1, 0, 4, 2, 3)
        {3f, 1f, 4f, 2f, 0f}, // label 2 (correct, top)
        {-1f, -2f, -3f, -4f, 10f} // label 3 (lowest but one)
    };
    private static final long[] LABELS = {0, 2, 3};
    private static final long[] TARGETS = {1, 3, 4};

    @Test
    void marginIsTrueLogitMinusBestOtherLogit() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                float[] got = Losses.margin(m.create(LOGITS), m.create(LABELS)).toFloatArray();
                assertThat(got).containsExactly(new float[] {2 - 5, 4 - 3, -4 - 10}, Offset.offset(1e-6f));
            }
        });
    }

    @Test
    void dlrMatchesItsFormulaOnHandMadeLogits() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                float[] got = Losses.dlr(m.create(LOGITS), m.create(LABELS)).toFloatArray();
                // −(z_y − max_{i≠y} z_i) / (z_π1 − z_π3)
                float[] want = {
                    -(2f - 5f) / (5f - 1f),
                    -(4f - 3f) / (4f - 2f),
                    -(-4f - 10f) / (10f - (-2f))
                };
                assertThat(got).containsExactly(want, Offset.offset(1e-5f));
            }
        });
    }

    @Test
    void targetedDlrMatchesItsFormulaOnHandMadeLogits() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                float[] got = Losses.dlrTargeted(m.create(LOGITS), m.create(LABELS), m.create(TARGETS))
                        .toFloatArray();
                // −(z_y − z_t) / (z_π1 − (z_π3 + z_π4)/2)
                float[] want = {
                    -(2f - 5f) / (5f - (1f + 0.5f) / 2),
                    -(4f - 2f) / (4f - (2f + 1f) / 2),
                    -(-4f - 10f) / (10f - (-2f + -3f) / 2)
                };
                assertThat(got).containsExactly(want, Offset.offset(1e-5f));
            }
        });
    }

    @Test
    void dlrIsInvariantToShiftAndScaleOfTheLogits() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                float[] a = Losses.dlr(m.create(LOGITS), m.create(LABELS)).toFloatArray();
                float[] b = Losses.dlr(m.create(LOGITS).mul(7).add(3), m.create(LABELS)).toFloatArray();
                assertThat(b).containsExactly(a, Offset.offset(1e-5f));
            }
        });
    }
}

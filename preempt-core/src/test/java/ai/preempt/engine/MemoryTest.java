package ai.preempt.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.attack.Pgd;
import ai.preempt.model.LinearClassifier;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import org.junit.jupiter.api.Test;

class MemoryTest {

    /** Counts every NDArray still attached to the manager tree below {@code m}. */
    static int liveArrays(NDManager m) {
        return NDManagers.countArrays(m);
    }

    @Test
    void tenThousandPgdStepsDoNotGrowTheNumberOfLiveArrays() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                LinearClassifier f = new LinearClassifier(m, new float[][] {new float[12], new float[12]},
                        new float[] {0f, 1f}, new Shape(3, 2, 2));
                NDArray x = new Rng(1).uniform(m, new Shape(2, 3, 2, 2), 0, 1);
                NDArray y = m.create(new long[] {0, 1});
                Pgd pgd = Pgd.builder().setThreat(ThreatModel.of(Norm.L2, 0.5)).optSteps(100).build();
                int[] counts = new int[100];
                for (int i = 0; i < 100; i++) { // 100 runs × 100 steps = 10,000 steps
                    pgd.perturb(f, x, y).adversarial().close();
                    counts[i] = liveArrays(m);
                }
                assertThat(counts[99]).isEqualTo(counts[1]);
            }
        });
    }
}

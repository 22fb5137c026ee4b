package ai.preempt.attack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.LinearClassifier;
import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FabTTest {

    @ParameterizedTest
    @EnumSource(Norm.class)
    void projectionIsTheMinimalStepIntoTheHalfSpaceWithinTheBox(Norm norm) {
        // w = (2, −1, 0, 1), p = (0.5, 0.5, 0.5, 0.9), need w·(p+d) ≥ c with c − w·p = 0.6
        float[] w = {2f, -1f, 0f, 1f};
        float[] p = {0.5f, 0.5f, 0.5f, 0.9f};
        double c = (2 * 0.5 - 0.5 + 0.9) + 0.6;
        float[] d = new float[4];
        double n = new FabT.Projector(4, norm).project(p, 0, w, c, d);
        double gain = 2 * d[0] - d[1] + d[3];
        assertThat(gain).isCloseTo(0.6, Offset.offset(1e-5));
        assertThat(d[2]).isZero();
        if (norm == Norm.LINF) {
            // unconstrained: t·(2+1+1) = 0.6 → t = 0.15, but coordinate 3 has only 0.1 of room:
            // 0.1·1 + t·3 = 0.6 → t = 1/6
            assertThat(n).isCloseTo(1 / 6.0, Offset.offset(1e-5));
            assertThat(d[3]).isCloseTo(0.1f, Offset.offset(1e-6f));
        } else {
            // d = λw clipped: λ·6 = 0.6 → λ = 0.1, d3 = 0.1 fits exactly in the room of 0.1
            assertThat(d[0]).isCloseTo(0.2f, Offset.offset(1e-5f));
            assertThat(d[1]).isCloseTo(-0.1f, Offset.offset(1e-5f));
            assertThat(n).isCloseTo(Math.sqrt(0.06), Offset.offset(1e-5));
        }
        // a point already inside the half-space does not move
        assertThat(new FabT.Projector(4, norm).project(p, 0, w, c - 1, d)).isZero();
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void fabFindsTheMinimalDistortionOfALinearModelAndSucceedsOnlyWithinEps(Norm norm) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                Rng rng = new Rng(3);
                float[] v = new float[192];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (rng.nextDouble() - 0.5);
                }
                LinearClassifier f = AttackFixtures.twoClass(m, v);
                NDArray x = rng.uniform(m, new Shape(8, 3, 8, 8), 0.3, 0.7);
                NDArray vArr = m.create(v).reshape(1, 3, 8, 8);
                // shift each image so its margin toward class 0 is known: distance to the boundary
                // is margin/‖v‖_dual, spread around ε
                ThreatModel t = AttackFixtures.threat(norm);
                double dual = norm == Norm.LINF ? vArr.abs().sum().getFloat() : vArr.norm().getFloat();
                float[] wanted = new float[8];
                for (int i = 0; i < 8; i++) {
                    wanted[i] = (float) (t.eps() * (0.5 + 0.15 * i)); // 0.5ε … 1.55ε
                }
                float[] cur = f.logits(x).toFloatArray();
                float[] shift = new float[8];
                for (int i = 0; i < 8; i++) {
                    double margin = cur[2 * i] - cur[2 * i + 1];
                    shift[i] = (float) ((wanted[i] * dual - margin) / Math.pow(vArr.norm().getFloat(), 2));
                }
                NDArray x0 = x.sub(vArr.mul(m.create(shift).reshape(8, 1, 1, 1)));
                assertThat(x0.min().getFloat()).isGreaterThan(0f);
                assertThat(x0.max().getFloat()).isLessThan(1f);
                NDArray y = m.create(new long[8]);
                AttackResult r = FabT.builder().setThreat(t).optIterations(30).optTargetClasses(1).build()
                        .perturb(f, x0, y);
                float[] dist = t.distance(r.adversarial(), x0).toFloatArray();
                for (int i = 0; i < 8; i++) {
                    boolean reachable = wanted[i] <= t.eps() * 0.99;
                    boolean unreachable = wanted[i] > t.eps() * 1.01;
                    if (reachable) {
                        assertThat(r.success()[i]).as("image %d at %.4f", i, wanted[i]).isTrue();
                        assertThat(dist[i]).isBetween(wanted[i] * 0.999f, wanted[i] * 1.06f);
                    } else if (unreachable) {
                        assertThat(r.success()[i]).isFalse();
                        assertThat(dist[i]).isZero(); // a failure returns the clean image
                    }
                }
            }
        });
    }
}

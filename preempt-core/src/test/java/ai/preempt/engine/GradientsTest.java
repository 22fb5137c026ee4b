package ai.preempt.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.model.Losses;
import ai.preempt.model.NativeClassifier;
import ai.preempt.model.TestModels;
import org.junit.jupiter.api.Test;

class GradientsTest {

    @Test
    void inputGradientMatchesFiniteDifferenceAndDoesNotAccumulate() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch");
                    NativeClassifier f = TestModels.tinyResNet(1)) {
                NDArray x = m.randomUniform(0, 1, new Shape(2, 3, 32, 32));
                NDArray y = m.create(new long[] {3, 7});
                Gradients.LossGrad a = Gradients.of(x, in -> Losses.crossEntropy(f.logits(in), y));
                Gradients.LossGrad b = Gradients.of(x, in -> Losses.crossEntropy(f.logits(in), y));
                assertThat(b.grad().sub(a.grad()).abs().max().getFloat()).isEqualTo(0f);
                NDArray dir = m.randomNormal(new Shape(2, 3, 32, 32));
                dir = dir.div(dir.norm());
                double h = 1e-3;
                float plus = Losses.crossEntropy(f.logits(x.add(dir.mul(h))), y).sum().getFloat();
                float minus = Losses.crossEntropy(f.logits(x.sub(dir.mul(h))), y).sum().getFloat();
                double fd = (plus - minus) / (2 * h);
                double analytic = a.grad().mul(dir).sum().getFloat();
                assertThat(analytic).isCloseTo(fd, org.assertj.core.data.Offset.offset(2e-2 * Math.abs(fd) + 1e-3));
                assertThat(a.loss().getShape()).isEqualTo(new Shape(2));
            }
        });
    }
}

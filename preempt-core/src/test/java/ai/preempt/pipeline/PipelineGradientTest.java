package ai.preempt.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.Gradients;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import ai.preempt.model.Losses;
import ai.preempt.model.NativeClassifier;
import ai.preempt.model.TestModels;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gradient of the classifier's loss through the pipeline, with respect to the full-size photo, matches a
 * central finite difference; through a JPEG stage the gradient is the straight-through one (that of the same
 * pipeline without the JPEG stage, evaluated at the re-encoded image).
 */
class PipelineGradientTest {

    @ParameterizedTest
    @ValueSource(strings = {"resize=32x32", "resize-plain=40x36,crop=32", "crop=40,resize=32x32"})
    void gradientThroughThePipelineMatchesFiniteDifferences(String spec) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); NativeClassifier f = TestModels.tinyResNet(3)) {
                PipelineClassifier pf = PipelineClassifier.builder().setClassifier(f).setPipeline(Pipeline.parse(spec))
                        .setPhotoSize(48, 60).build();
                Rng rng = new Rng(5);
                NDArray x = rng.uniform(m, new Shape(2, 3, 48, 60), 0.1, 0.9);
                NDArray y = m.create(new long[] {2, 7});
                Gradients.LossGrad lg = Gradients.of(x, in -> Losses.crossEntropy(pf.logits(in), y));
                NDArray g = lg.grad();
                NDArray noise = rng.normal(m, x.getShape());
                NDArray dir = g.div(g.norm()).add(noise.div(noise.norm()).mul(0.5f));
                dir = dir.div(dir.norm());
                double h = 1e-2;
                NDArray dx = dir.mul(h);
                double plus = Losses.crossEntropy(pf.logits(x.add(dx)), y).sum().getFloat();
                double minus = Losses.crossEntropy(pf.logits(x.sub(dx)), y).sum().getFloat();
                double fd = (plus - minus) / (2 * h);
                double analytic = g.mul(dir).sum().getFloat();
                assertThat(Math.abs(analytic)).isGreaterThan(1e-6);
                assertThat(analytic).as(spec).isCloseTo(fd, Offset.offset(0.03 * Math.abs(fd) + 2e-4));
            }
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {90, 50})
    void jpegStageHasTheRealCodecForwardAndAStraightThroughGradient(int q) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch"); NativeClassifier f = TestModels.tinyResNet(3)) {
                Rng rng = new Rng(6);
                NDArray x = rng.uniform(m, new Shape(2, 3, 64, 64), 0, 1).mul(255).round().div(255);
                Jpeg jpeg = new Jpeg(q);
                NDArray coded = jpeg.apply(x);
                // forward: the codec changed the image, deterministically, and left it on the 8-bit grid
                assertThat(coded.sub(x).abs().max().getFloat()).isGreaterThan(1f / 255);
                assertThat(jpeg.apply(x).sub(coded).abs().max().getFloat()).isZero();
                assertThat(coded.mul(255).sub(coded.mul(255).round()).abs().max().getFloat()).isLessThan(1e-4f);
                PipelineClassifier through = PipelineClassifier.builder().setClassifier(f)
                        .setPipeline(Pipeline.parse("jpeg=" + q + ",resize=32")).setPhotoSize(64, 64).build();
                PipelineClassifier after = PipelineClassifier.builder().setClassifier(f)
                        .setPipeline(Pipeline.parse("resize=32")).setPhotoSize(64, 64).build();
                NDArray y = m.create(new long[] {1, 4});
                Gradients.LossGrad a = Gradients.of(x, in -> Losses.crossEntropy(through.logits(in), y));
                Gradients.LossGrad b = Gradients.of(coded, in -> Losses.crossEntropy(after.logits(in), y));
                assertThat(a.loss().sub(b.loss()).abs().max().getFloat()).isLessThan(1e-5f);
                assertThat(b.grad().abs().max().getFloat()).isGreaterThan(0f);
                assertThat(a.grad().sub(b.grad()).abs().max().getFloat()).isLessThan(1e-6f);
            }
        });
    }
}

package ai.preempt.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PipelineAdjointTest {

    /**
     * The adjoint robustification carries gradients back with is the transpose of the stage: ⟨P x, g⟩ = ⟨x, Pᵀ g⟩
     * for random x and g, for shrinking, enlarging, non-square sizes, both kernels, a crop and their composition,
     * and Pᵀ g has the photo's shape.
     */
    @ParameterizedTest
    @CsvSource({
        "resize=32, 256, 256",
        "resize=16, 40, 64",
        "resize-plain=12x20, 40, 64",
        "resize=48, 24, 24",
        "crop=20x24, 27, 33",
        "resize=40;crop=32, 64, 80",
        "resize-plain=40;crop=32x30, 81, 57",
    })
    void adjointIsTheTransposeOfTheStage(String spec, int h, int w) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                Pipeline p = Pipeline.parse(spec.replace(";", ","));
                Rng rng = new Rng(3);
                NDArray x = rng.uniform(m, new Shape(2, 3, h, w), 0, 1);
                NDArray px = p.apply(x);
                int[] out = p.outputSize(new int[] {h, w});
                assertThat(px.getShape()).isEqualTo(new Shape(2, 3, out[0], out[1]));
                NDArray g = rng.normal(m, px.getShape());
                NDArray ptg = p.adjoint(g, new int[] {h, w});
                assertThat(ptg.getShape()).isEqualTo(x.getShape());
                double lhs = px.toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                        .mul(g.toType(ai.djl.ndarray.types.DataType.FLOAT64, false)).sum().getDouble();
                double rhs = x.toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                        .mul(ptg.toType(ai.djl.ndarray.types.DataType.FLOAT64, false)).sum().getDouble();
                double scale = px.abs().sum().getFloat() * g.abs().max().getFloat();
                assertThat(Math.abs(lhs - rhs)).as("<Px,g> = %f, <x,P'g> = %f", lhs, rhs).isLessThan(1e-5 * scale);
            }
        });
    }

    /** JPEG is not linear: asking for its adjoint is an error, not a silent straight-through. */
    @org.junit.jupiter.api.Test
    void jpegHasNoAdjoint() {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray g = m.zeros(new Shape(1, 3, 8, 8));
                assertThatThrownBy(() -> Pipeline.parse("jpeg=90").adjoint(g, new int[] {8, 8}))
                        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("not linear");
            }
        });
    }
}

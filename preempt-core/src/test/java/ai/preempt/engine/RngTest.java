package ai.preempt.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Per-image streams give an image the same numbers alone or in any batch; plain streams are unchanged. */
class RngTest {

    private static float[] row(NDArray x, int i) {
        return x.get(i).toFloatArray();
    }

    @Test
    void perImageDrawsDoNotDependOnBatchMatesOrOrder() {
        PreemptEngine.run(() -> {
            try (NDManager m = PreemptEngine.newManager()) {
                NDArray imgs = new Rng(1).uniform(m, new Shape(3, 2, 4, 4), 0, 1);
                NDArray a = imgs.get("0:1");
                NDArray cab = NDArrays.concat(new NDList(imgs.get("2:3"), imgs.get("0:1"), imgs.get("1:2")));
                Rng alone = Rng.forImages(7, a);
                Rng batch = Rng.forImages(7, cab);
                for (int draw = 0; draw < 3; draw++) {
                    assertThat(row(batch.uniformLike(cab, -1, 1), 1)).containsExactly(row(alone.uniformLike(a, -1, 1), 0));
                    assertThat(row(batch.normalLike(cab), 1)).containsExactly(row(alone.normalLike(a), 0));
                    assertThat(batch.uniformPerImage(cab)[1]).isEqualTo(alone.uniformPerImage(a)[0]);
                }
                // different images draw different numbers
                NDArray u = Rng.forImages(7, cab).uniformLike(cab, 0, 1);
                assertThat(row(u, 0)).isNotEqualTo(row(u, 1));
            }
        });
    }

    @Test
    void keepRowsFollowsAShrinkingBatch() {
        PreemptEngine.run(() -> {
            try (NDManager m = PreemptEngine.newManager()) {
                NDArray imgs = new Rng(2).uniform(m, new Shape(3, 1, 2, 2), 0, 1);
                Rng full = Rng.forImages(3, imgs);
                Rng single = Rng.forImages(3, imgs.get("2:3"));
                full.uniformLike(imgs, 0, 1);
                single.uniformLike(imgs.get("2:3"), 0, 1);
                full.keepRows(new int[] {2});
                NDArray last = imgs.get("2:3");
                assertThat(row(full.uniformLike(last, 0, 1), 0)).containsExactly(row(single.uniformLike(last, 0, 1), 0));
                assertThatThrownBy(() -> full.uniformLike(imgs, 0, 1)).isInstanceOf(IllegalStateException.class);
            }
        });
    }

    @Test
    void imagesAppendedToARunningStreamKeepTheirOwnDrawCounts() {
        PreemptEngine.run(() -> {
            try (NDManager m = PreemptEngine.newManager()) {
                NDArray imgs = new Rng(4).uniform(m, new Shape(3, 1, 2, 2), 0, 1);
                NDArray first = imgs.get("0:2");
                NDArray late = imgs.get("2:3");
                Rng running = Rng.forImages(9, first);
                Rng firstAlone = Rng.forImages(9, imgs.get("1:2"));
                Rng lateAlone = Rng.forImages(9, late);
                running.uniformLike(first, 0, 1);
                firstAlone.uniformLike(imgs.get("1:2"), 0, 1);
                running.append(Rng.forImages(9, late)); // joins after one draw of the others
                NDArray u = running.uniformLike(imgs, 0, 1);
                assertThat(row(u, 1)).as("second draw of an early image").containsExactly(
                        row(firstAlone.uniformLike(imgs.get("1:2"), 0, 1), 0));
                assertThat(row(u, 2)).as("first draw of the late image").containsExactly(row(lateAlone.uniformLike(late, 0, 1), 0));
                // rows at different draw counts share no draw; rows of one count still do
                assertThatThrownBy(running::nextLong).isInstanceOf(IllegalStateException.class);
                assertThat(running.rows(new int[] {0, 1}).nextLong()).isEqualTo(firstAlone.nextLong());
            }
        });
    }

    @Test
    void plainStreamsDrawAsBefore() {
        PreemptEngine.run(() -> {
            try (NDManager m = PreemptEngine.newManager()) {
                NDArray x = m.zeros(new Shape(2, 3));
                assertThat(new Rng(5).uniformLike(x, -1, 1).toFloatArray())
                        .containsExactly(new Rng(5).uniform(m, x.getShape(), -1, 1).toFloatArray());
                assertThat(new Rng(5).normalLike(x).toFloatArray()).containsExactly(new Rng(5).normal(m, x.getShape()).toFloatArray());
                Rng r = new Rng(6);
                double[] expected = {r.nextDouble(), r.nextDouble()};
                assertThat(Arrays.equals(new Rng(6).uniformPerImage(x), expected)).isTrue();
            }
        });
    }
}

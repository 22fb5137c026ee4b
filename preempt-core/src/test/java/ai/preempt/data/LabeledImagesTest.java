package ai.preempt.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.PreemptEngine;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LabeledImagesTest {

    private static final int N = 50;
    private static final byte[] PIXELS = randomBytes(N * 3 * 4 * 5);
    private static final LabeledImages SET = LabeledImages.of(PIXELS, labels(), List.of("a", "b", "c"), 3, 4, 5);

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(7).nextBytes(b);
        return b;
    }

    private static int[] labels() {
        int[] l = new int[N];
        Arrays.setAll(l, i -> i % 3);
        return l;
    }

    @Test
    void subsetIsDeterministicPerSeedAndWithoutReplacement() {
        int[] a = SET.subset(20, 1).indices();
        assertThat(SET.subset(20, 1).indices()).containsExactly(a);
        assertThat(SET.subset(20, 2).indices()).isNotEqualTo(a);
        assertThat(Arrays.stream(a).distinct().count()).isEqualTo(20);
        assertThat(a).isSorted();
        LabeledImages sub = SET.subset(20, 1);
        for (int i = 0; i < sub.size(); i++) {
            assertThat(sub.label(i)).isEqualTo(a[i] % 3);
        }
    }

    @Test
    void subsetOfASubsetKeepsOriginalIndices() {
        LabeledImages tail = SET.shuffled(3).head(10);
        LabeledImages sub = tail.subset(4, 9);
        for (int i = 0; i < sub.size(); i++) {
            assertThat(tail.indices()).contains(sub.index(i));
            assertThat(sub.image(i)).isEqualTo(SET.image(sub.index(i)));
        }
    }

    @Test
    void subsetOrHeadOfTooManyOrTooFewImagesIsRejected() {
        assertThatThrownBy(() -> SET.subset(N + 1, 0)).isInstanceOf(DataException.class)
                .hasMessageContaining(String.valueOf(N + 1));
        assertThatThrownBy(() -> SET.subset(0, 0)).isInstanceOf(DataException.class);
        assertThatThrownBy(() -> SET.head(-1)).isInstanceOf(DataException.class);
        assertThat(SET.subset(N, 5).indices()).containsExactly(SET.indices());
    }

    @Test
    void shuffledIsASeededPermutation() {
        int[] p = SET.shuffled(11).indices();
        assertThat(SET.shuffled(11).indices()).containsExactly(p);
        assertThat(p).containsExactlyInAnyOrder(SET.indices()).isNotEqualTo(SET.indices());
        assertThat(SET.shuffled(11).countsPerClass()).containsExactly(SET.countsPerClass());
    }

    @Test
    void batchRangesCoverEveryPositionOnce() {
        List<LabeledImages.Range> r = SET.batchRanges(16);
        assertThat(r).containsExactly(new LabeledImages.Range(0, 16), new LabeledImages.Range(16, 32),
                new LabeledImages.Range(32, 48), new LabeledImages.Range(48, 50));
        assertThatThrownBy(() -> SET.batchRanges(0)).isInstanceOf(DataException.class);
    }

    @Test
    void batchArraysEqualBytesOver255AndInt64Labels() {
        LabeledImages view = SET.shuffled(5);
        PreemptEngine.run(() -> {
            try (NDManager m = PreemptEngine.newManager()) {
                NDArray x = view.images(m, 3, 7);
                assertThat(x.getShape()).isEqualTo(new Shape(4, 3, 4, 5));
                assertThat(x.getDataType()).isEqualTo(DataType.FLOAT32);
                float[] v = x.toFloatArray();
                int per = 60;
                for (int i = 0; i < 4; i++) {
                    for (int k = 0; k < per; k++) {
                        assertThat(v[i * per + k]).isEqualTo((PIXELS[view.index(3 + i) * per + k] & 0xFF) / 255f);
                    }
                }
                NDArray y = view.labels(m, 3, 7);
                assertThat(y.getDataType()).isEqualTo(DataType.INT64);
                assertThat(y.toLongArray()).containsExactly(view.label(3), view.label(4), view.label(5), view.label(6));
            }
        });
    }

    @Test
    void countsPerClassCountsLabels() {
        assertThat(SET.countsPerClass()).containsExactly(17, 17, 16);
        assertThat(SET.head(4).countsPerClass()).containsExactly(2, 1, 1);
    }

    @Test
    void mismatchedArraysAndOutOfRangeLabelsAreRejected() {
        assertThatThrownBy(() -> LabeledImages.of(new byte[10], new int[1], List.of("a"), 3, 4, 5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LabeledImages.of(new byte[60], new int[] {1}, List.of("a"), 3, 4, 5))
                .isInstanceOf(DataException.class);
    }
}

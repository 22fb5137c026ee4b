package ai.preempt.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RowsTest {

    /**
     * Chunks cover every row exactly once, in order, each about half a megabyte per tensor (one 256×256 photo, about
     * forty 32×32 images), and in-place operations on a chunk's view change the batch itself (what the optimiser's
     * in-place update relies on).
     */
    @ParameterizedTest
    @CsvSource({"5, 256, 1", "100, 32, 42", "3, 8, 3", "1, 512, 1"})
    void inChunksVisitsEveryRowOnceInOrderAndWritesThroughViews(int n, int side, int rowsPerChunk) {
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray x = m.zeros(new Shape(n, 3, side, side));
                List<Long> sizes = new ArrayList<>();
                int[] call = {0};
                Rows.inChunks(x, r -> {
                    NDArray view = x.get(r);
                    sizes.add(view.getShape().get(0));
                    view.addi(++call[0]); // chunk k adds k to its rows
                });
                assertThat(sizes.stream().mapToLong(Long::longValue).sum()).isEqualTo(n);
                assertThat(sizes.subList(0, sizes.size() - 1)).allMatch(s -> s == rowsPerChunk);
                float[] perRow = x.reshape(n, -1).mean(new int[] {1}).toFloatArray();
                for (int i = 0; i < n; i++) {
                    assertThat(perRow[i]).as("row %d", i).isEqualTo(i / rowsPerChunk + 1);
                }
            }
        });
    }
}

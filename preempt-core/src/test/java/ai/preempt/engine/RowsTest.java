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

    /** Put writes the given rows at the given positions and leaves every other row where it was, unchanged. */
    @ParameterizedTest
    @CsvSource({"'1,3', 5", "'0', 4", "'0,1,2', 3", "'2,3', 4"})
    void putReplacesExactlyTheGivenRowsInPlaceOrder(String positions, int n) {
        int[] at = java.util.Arrays.stream(positions.split(",")).mapToInt(Integer::parseInt).toArray();
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray x = m.arange(0f, n).reshape(n, 1).broadcast(new Shape(n, 2)); // row i holds i
                NDArray values = m.arange(0f, at.length).add(100).reshape(at.length, 1).broadcast(new Shape(at.length, 2));
                float[] out = Rows.put(x, at, values).reshape(n, 2).get(":, 0").toFloatArray();
                for (int i = 0; i < n; i++) {
                    int k = java.util.Arrays.binarySearch(at, i);
                    assertThat(out[i]).as("row %d", i).isEqualTo(k >= 0 ? 100f + k : i);
                }
            }
        });
    }
}

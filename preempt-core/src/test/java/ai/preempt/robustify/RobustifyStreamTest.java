package ai.preempt.robustify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.preempt.data.Cifar10;
import ai.preempt.data.LabeledImages;
import ai.preempt.data.Split;
import ai.preempt.data.TestData;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.engine.Rows;
import ai.preempt.model.Classifier;
import ai.preempt.model.MinRowsClassifier;
import ai.preempt.model.Models;
import ai.preempt.threat.Norm;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Continuous batching: images admitted into a running {@link RobustifyStream} get what they would get alone,
 * and a batch robustified at once is the stream with every image admitted at once. On the bundled CNN (whose
 * passes are bitwise batch-invariant at 4 rows or more, hence {@link MinRowsClassifier}) and real CIFAR-10
 * images, in fast mode with a polish, so images exit at different steps and, once they joined at different
 * times, need different losses in the same step.
 */
class RobustifyStreamTest {

    private static final int N = 8;
    private static Classifier model;
    private static Classifier f;
    private static LabeledImages images;

    @BeforeAll
    static void load() {
        try {
            PreemptEngine.setThreads(1);
        } catch (IllegalStateException e) {
            // the engine already runs (other test classes in this JVM): see bitwiseInThisEngine
        }
        model = Models.load(Path.of("../models/adv-linf").toString());
        f = new MinRowsClassifier(model, 4);
        images = Cifar10.load(TestData.cifarDir(), Split.TEST).head(N);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** T = 10, K = 3, fast mode: checks every 2 steps, PGD-2 while optimising, the last 3 steps polished. */
    private static RobustifyConfig fast(Norm norm) {
        return RobustifyConfig.builder(norm, norm == Norm.LINF ? 8 / 255.0 : 0.5).optOuterSteps(10).optInnerSteps(3)
                .optSeed(5).optFast(new FastMode(2, 2, 0.8 * Math.log(2), 2, 3)).build();
    }

    /** What a stream handed out for one image. */
    private record Out(float[] image, long label, float loss, long passes, int steps) {
        static Out of(RobustifyStream.Finished d) {
            Out o = new Out(d.image().toFloatArray(), d.label(), d.robustLoss(), d.passes(), d.outerSteps());
            d.image().close();
            return o;
        }

        static Out of(RobustifyResult r, int i) {
            return new Out(r.images().get(i).toFloatArray(), r.labels()[i], r.robustLoss()[i], r.passes()[i],
                    r.outerSteps()[i]);
        }

        void assertSame(Out o, String what) {
            assertThat(o.image).as("%s: image", what).containsExactly(image);
            assertThat(o.label).as("%s: label", what).isEqualTo(label);
            assertThat(o.loss).as("%s: robust loss", what).isEqualTo(loss);
            assertThat(o.passes).as("%s: passes", what).isEqualTo(passes);
            assertThat(o.steps).as("%s: outer steps", what).isEqualTo(steps);
        }
    }

    /**
     * An image alone is a batch of one row, where PyTorch splits a row's reductions (L2 norms) over the intra-op
     * threads, while in a batch each row's reduction runs on one thread: with several threads (the service runs
     * with one) L2's lone image differs in the last bits. L∞ has no such reduction.
     */
    private static void bitwiseInThisEngine(Norm norm) {
        assumeTrue(norm == Norm.LINF || PreemptEngine.threads() == 1, "L2 alone vs in a batch is bitwise with 1 thread");
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void imageJoiningARunningStreamGetsBitwiseWhatItGetsAlone(Norm norm) {
        bitwiseInThisEngine(norm);
        Robustifier r = Robustifier.of(fast(norm));
        PreemptEngine.run(() -> {
            try (NDManager m = PreemptEngine.newManager()) {
                NDArray x0 = images.images(m, 0, N);
                Out[] alone = new Out[N];
                for (int i = 0; i < N; i++) {
                    alone[i] = Out.of(r.robustify(f, x0.get(i + ":" + (i + 1)), null), 0);
                }
                // the images that run longest start, the quickest join last: they overtake
                Integer[] order = new Integer[N];
                Arrays.setAll(order, i -> i);
                Arrays.sort(order, (a, b) -> Integer.compare(alone[b].steps(), alone[a].steps()));
                Map<Long, Integer> index = new HashMap<>();
                Out[] streamed = new Out[N];
                int[] admittedAt = new int[N];
                int[] finishedAt = new int[N];
                // four images start, two join after 3 steps, two more after 5: they join images at other steps
                int[][] joins = {{0, 4}, {3, 6}, {5, 8}};
                int step = 0;
                int next = 0;
                try (RobustifyStream s = r.open(f, m)) {
                    while (next < joins.length || !s.isEmpty()) {
                        if (next < joins.length && joins[next][0] == step) {
                            int from = next == 0 ? 0 : joins[next - 1][1];
                            int[] rows = Arrays.stream(order, from, joins[next][1]).mapToInt(Integer::intValue)
                                    .toArray();
                            long[] ids = s.admit(Rows.select(x0, rows), null);
                            for (int k = 0; k < ids.length; k++) {
                                index.put(ids[k], rows[k]);
                                admittedAt[rows[k]] = step;
                            }
                            next++;
                        }
                        for (RobustifyStream.Finished d : s.step()) {
                            int i = index.get(d.id());
                            streamed[i] = Out.of(d);
                            finishedAt[i] = step;
                        }
                        step++;
                    }
                }
                for (int i = 0; i < N; i++) {
                    alone[i].assertSame(streamed[i], "image " + i);
                }
                // the run really interleaved: an image admitted late finished before an early one, and images
                // took different numbers of steps (exits)
                assertThat(Arrays.stream(alone).mapToInt(Out::steps).distinct().count()).isGreaterThan(1);
                boolean overtaken = false;
                for (int i = 0; i < N; i++) {
                    for (int j = 0; j < N; j++) {
                        overtaken |= admittedAt[j] > admittedAt[i] && finishedAt[j] < finishedAt[i];
                    }
                }
                assertThat(overtaken).as("a late image overtook an early one: steps %s", Arrays.stream(alone)
                        .map(Out::steps).toList()).isTrue();
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void batchRobustifyEqualsTheStreamWithTheBatchAdmittedInPiecesBeforeTheFirstStep(Norm norm) {
        Robustifier r = Robustifier.of(fast(norm));
        PreemptEngine.run(() -> {
            try (NDManager m = PreemptEngine.newManager()) {
                NDArray x0 = images.images(m, 0, N);
                NDArray labels = images.labels(m, 0, N);
                RobustifyResult batch = r.robustify(f, x0, labels);
                Out[] streamed = new Out[N];
                try (RobustifyStream s = r.open(f, m)) {
                    Map<Long, Integer> index = new HashMap<>();
                    for (int[] piece : List.of(new int[] {0, 3}, new int[] {3, 4}, new int[] {4, N})) {
                        String rows = piece[0] + ":" + piece[1];
                        long[] ids = s.admit(x0.get(rows), labels.get(rows));
                        for (int k = 0; k < ids.length; k++) {
                            index.put(ids[k], piece[0] + k);
                        }
                    }
                    while (!s.isEmpty()) {
                        for (RobustifyStream.Finished d : s.step()) {
                            streamed[index.get(d.id())] = Out.of(d);
                        }
                    }
                }
                for (int i = 0; i < N; i++) {
                    Out.of(batch, i).assertSame(streamed[i], "image " + i);
                }
            }
        });
    }
}

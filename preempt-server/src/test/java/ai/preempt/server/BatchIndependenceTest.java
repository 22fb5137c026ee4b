package ai.preempt.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.data.Image;
import ai.preempt.data.ImageIo;
import ai.preempt.model.Classifier;
import ai.preempt.model.Models;
import ai.preempt.robustify.FastMode;
import ai.preempt.robustify.FastestMode;
import ai.preempt.robustify.RobustifyConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dynamic batching must not change answers: a photo robustified (or attacked) inside any batch gives the same
 * bytes as the same photo alone, whatever else shares its batch and in whatever order.
 */
class BatchIndependenceTest {

    private static Classifier f;
    private static List<Image> photos;
    /** Photos at the model's input size (the fast-mode test runs both sizes). */
    private static List<Image> modelSize;

    @BeforeAll
    static void load() {
        f = Models.load(ServerFixture.model());
        photos = new ArrayList<>();
        modelSize = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            photos.add(ServerFixture.photo(i, 40, 48)); // not the model's size: the resize runs in the batch too
            modelSize.add(ServerFixture.photo(i, 32, 32));
        }
    }

    @AfterAll
    static void close() {
        f.close();
    }

    private static <R> void assertBatchIndependent(List<Image> images, Operation<R> op, Function<R, Image> output) {
        List<byte[]> alone = new ArrayList<>();
        for (Image img : images) {
            alone.add(ImageIo.toPngBytes(output.apply(op.run(List.of(img)).get(0))));
        }
        List<R> together = op.run(images);
        List<R> reversed = op.run(List.of(images.get(3), images.get(2), images.get(1), images.get(0)));
        List<R> pair = op.run(List.of(images.get(2), images.get(0)));
        for (int i = 0; i < images.size(); i++) {
            assertThat(ImageIo.toPngBytes(output.apply(together.get(i)))).as("image %d in a batch of 4", i)
                    .isEqualTo(alone.get(i));
            assertThat(ImageIo.toPngBytes(output.apply(reversed.get(3 - i)))).as("image %d, reversed batch", i)
                    .isEqualTo(alone.get(i));
        }
        assertThat(ImageIo.toPngBytes(output.apply(pair.get(0)))).isEqualTo(alone.get(2));
        assertThat(ImageIo.toPngBytes(output.apply(pair.get(1)))).isEqualTo(alone.get(0));
    }

    @Test
    void robustifiedBytesDoNotDependOnTheBatch() {
        ProtectionService s = new ProtectionService(f, ServerFixture.quickRobustify(), 5, true);
        assertBatchIndependent(photos, s.robustify(), ProtectionService.Robustified::output);
    }

    @Test
    void fastModeRobustifiedBytesDoNotDependOnTheBatch() {
        // fast mode exits images at different steps: the batch shrinks under the others, below
        // ProtectionService.MIN_ROWS too; every pass is padded, so this holds at the model's size and at another
        RobustifyConfig fast = ServerFixture.quickRobustify().toBuilder().optOuterSteps(8)
                .optFast(new FastMode(2, 2, FastMode.DEFAULT.lossThreshold(), 2, 2)).build();
        ProtectionService s = new ProtectionService(f, fast, 5, true);
        assertBatchIndependent(modelSize, s.robustify(), ProtectionService.Robustified::output);
        assertBatchIndependent(photos, s.robustify(), ProtectionService.Robustified::output);
    }

    @Test
    void fastestModeRobustifiedBytesDoNotDependOnTheBatch() {
        // the fastest mode is not streamed: its session robustifies what it was given as one batch per step
        RobustifyConfig fastest = ServerFixture.quickRobustify().toBuilder().optOuterSteps(6)
                .optFastest(FastestMode.DEFAULT).build();
        ProtectionService s = new ProtectionService(f, fastest, 5, true);
        assertBatchIndependent(photos, s.robustify(), ProtectionService.Robustified::output);
    }

    @Test
    void attackedBytesDoNotDependOnTheBatch() {
        ProtectionService s = new ProtectionService(f, ServerFixture.quickRobustify(), 5, true);
        assertBatchIndependent(photos, s.attack(), ProtectionService.Attacked::output);
    }
}

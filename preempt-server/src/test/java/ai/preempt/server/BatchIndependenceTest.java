package ai.preempt.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.data.Cifar10;
import ai.preempt.data.Image;
import ai.preempt.data.ImageIo;
import ai.preempt.data.Split;
import ai.preempt.data.TestData;
import ai.preempt.model.Classifier;
import ai.preempt.model.Models;
import ai.preempt.robustify.FastMode;
import ai.preempt.robustify.RobustifyConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dynamic batching must not change answers: an image robustified (or attacked) inside any batch gives the same
 * bytes as the same image alone, whatever else shares its batch and in whatever order.
 */
class BatchIndependenceTest {

    private static Classifier f;
    private static List<Image> images;

    @BeforeAll
    static void load() {
        f = Models.load(ServerFixture.model());
        var test = Cifar10.load(TestData.cifarDir(), Split.TEST).head(4);
        images = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            images.add(test.image(i));
        }
    }

    @AfterAll
    static void close() {
        f.close();
    }

    private static <R> void assertBatchIndependent(Operation<R> op, Function<R, Image> output) {
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
        assertBatchIndependent(s.robustify(), ProtectionService.Robustified::output);
    }

    @Test
    void fastModeRobustifiedBytesDoNotDependOnTheBatch() {
        // fast mode exits images at different steps: the batch shrinks under the others
        RobustifyConfig fast = ServerFixture.quickRobustify().toBuilder().optOuterSteps(8)
                .optFast(new FastMode(2, 2, FastMode.DEFAULT.lossThreshold(), 2, 2)).build();
        ProtectionService s = new ProtectionService(f, fast, 5, true);
        assertBatchIndependent(s.robustify(), ProtectionService.Robustified::output);
    }

    @Test
    void attackedBytesDoNotDependOnTheBatch() {
        ProtectionService s = new ProtectionService(f, ServerFixture.quickRobustify(), 5, true);
        assertBatchIndependent(s.attack(), ProtectionService.Attacked::output);
    }
}

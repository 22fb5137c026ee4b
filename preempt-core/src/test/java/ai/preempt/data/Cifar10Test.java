package ai.preempt.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.preempt.model.ModelCard;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {

    @TempDir
    Path tmp;

    @Test
    void realTestBatchHas10000ImagesWith1000PerClassAndTheFileFirstLabel() throws IOException {
        Path dir = TestData.cifarDir();
        int firstLabel;
        try (InputStream in = Files.newInputStream(dir.resolve("test_batch.bin"))) {
            firstLabel = in.read();
        }
        LabeledImages test = Cifar10.load(dir, Split.TEST);
        assertThat(test.size()).isEqualTo(10000);
        assertThat(test.countsPerClass()).containsOnly(1000).hasSize(10);
        assertThat(test.label(0)).isEqualTo(firstLabel);
        assertThat(test.classes()).isEqualTo(ModelCard.CIFAR_CLASSES);
        assertThat(test.imageShape()).containsExactly(3, 32, 32);
    }

    @Test
    void syntheticBatchKeepsLabelsAndPixelsInFileOrder() throws IOException {
        TestData.writeTinyCifar(tmp, 3);
        byte[] pixels = TestData.writeBatch(tmp.resolve("test_batch.bin"), new int[] {7, 2}, 42);
        LabeledImages set = Cifar10.load(tmp, Split.TEST);
        assertThat(set.size()).isEqualTo(2);
        assertThat(set.label(0)).isEqualTo(7);
        assertThat(set.label(1)).isEqualTo(2);
        assertThat(set.image(1).chw()[5]).isEqualTo((pixels[3072 + 5] & 0xFF) / 255f);
        assertThat(Cifar10.load(tmp, Split.TRAIN).size()).isEqualTo(15);
    }

    @Test
    void fileWhoseLengthIsNotAMultipleOf3073IsRejectedNamingFileAndSize() throws IOException {
        Files.write(tmp.resolve("test_batch.bin"), new byte[1234]);
        assertThatThrownBy(() -> Cifar10.load(tmp, Split.TEST))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("test_batch.bin is not a CIFAR-10 binary batch")
                .hasMessageContaining("1234 bytes is not a multiple of 3073");
    }

    @Test
    void emptyBatchFileIsRejected() throws IOException {
        Files.write(tmp.resolve("test_batch.bin"), new byte[0]);
        assertThatThrownBy(() -> Cifar10.load(tmp, Split.TEST))
                .isInstanceOf(DataException.class).hasMessageContaining("0 bytes");
    }

    @Test
    void missingFolderMessageNamesTheDataFlagAndEnvironmentVariable() {
        assertThatThrownBy(() -> Cifar10.load(tmp.resolve("nope"), Split.TEST))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("nope")
                .hasMessageContaining("--data")
                .hasMessageContaining("PREEMPT_DATA");
    }

    @Test
    void missingBatchFileMessageNamesTheFileAndTheDataFlag() throws IOException {
        Files.write(tmp.resolve("test_batch.bin"), new byte[3073]);
        assertThatThrownBy(() -> Cifar10.load(tmp, Split.TRAIN))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("data_batch_1.bin")
                .hasMessageContaining("--data");
    }

    @Test
    void labelBeyondTheClassListIsRejected() throws IOException {
        TestData.writeBatch(tmp.resolve("test_batch.bin"), new int[] {3, 10}, 1);
        assertThatThrownBy(() -> Cifar10.load(tmp, Split.TEST))
                .isInstanceOf(DataException.class).hasMessageContaining("label 10");
    }

    @Test
    void classNamesSkipBlankLinesAndDefaultToTheStandardTen() throws IOException {
        assertThat(Cifar10.classNames(tmp)).isEqualTo(ModelCard.CIFAR_CLASSES);
        Files.writeString(tmp.resolve("batches.meta.txt"), "a\n\n b \n\n");
        assertThat(Cifar10.classNames(tmp)).containsExactly("a", "b");
    }

    @Test
    void dataInfoCountsEveryClassInBothRealSplits() {
        DataInfo info = DataInfo.of(TestData.cifarDir());
        assertThat(info.splits()).extracting(DataInfo.SplitInfo::split).containsExactly(Split.TRAIN, Split.TEST);
        assertThat(info.splits().get(0).perClass()).containsOnly(5000);
        assertThat(info.splits().get(1).size()).isEqualTo(10000);
        String text = info.describe();
        assertThat(text).contains("airplane").contains("truck").contains("50000").contains("10000");
    }

    @Test
    void dataInfoListsOnlySplitsThatArePresent() throws IOException {
        TestData.writeBatch(tmp.resolve("test_batch.bin"), new int[] {1, 1, 4}, 3);
        DataInfo info = DataInfo.of(tmp);
        assertThat(info.splits()).hasSize(1);
        assertThat(info.splits().get(0).perClass()).containsExactly(0, 2, 0, 0, 1, 0, 0, 0, 0, 0);
    }
}

package ai.preempt.data;

import java.util.List;

/** A CIFAR-10 split and the binary batch files that hold it. */
public enum Split {
    /** 50,000 training images in five files. */
    TRAIN(List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
            "data_batch_5.bin")),
    /** 10,000 test images in one file. */
    TEST(List.of("test_batch.bin"));

    private final List<String> fileNames;

    Split(List<String> fileNames) {
        this.fileNames = fileNames;
    }

    /** @return the batch file names of this split, in reading order */
    public List<String> fileNames() {
        return fileNames;
    }
}

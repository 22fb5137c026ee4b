package ai.preempt.cli;

import ai.preempt.data.LabeledFolder;
import ai.preempt.data.LabeledImages;
import ai.preempt.model.Classifier;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --images} option: the user's own labelled images instead of CIFAR-10's test split. */
final class ImagesOption {

    @Option(names = "--images", paramLabel = "DIR", description = "Your own labelled images instead of CIFAR-10: "
            + "one subfolder per class, named as the model's class (e.g. cat/, dog/), holding PNG, JPEG or BMP "
            + "files of any size; each is center-cropped and resized to the model's input.")
    Path images;

    /**
     * @param data the CIFAR-10 options, used when {@code --images} is not given
     * @param n images wanted (a seeded random subset when fewer than there are)
     * @param seed seeds the subset
     * @param f the model: its class names label the folders, its input shape sizes the images
     * @return the images to evaluate on
     */
    LabeledImages testImages(DataOptions data, int n, long seed, Classifier f) {
        if (images == null) {
            return data.testSubset(n, seed);
        }
        if (data.data != null) {
            throw new IllegalArgumentException("give either --images or --data, not both");
        }
        if (n <= 0) {
            throw new IllegalArgumentException("--n must be at least 1, got " + n);
        }
        LabeledImages all = LabeledFolder.load(images, f.classes(), f.inputShape());
        return n >= all.size() ? all : all.subset(n, seed);
    }

    /** Records the folder in a run's options when {@code --images} is given. */
    void record(java.util.Map<String, Object> config) {
        if (images != null) {
            config.put("images", images.toString());
        }
    }
}

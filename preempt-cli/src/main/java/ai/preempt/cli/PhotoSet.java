package ai.preempt.cli;

import ai.djl.ndarray.NDManager;
import ai.preempt.data.Image;
import ai.preempt.data.ImageFolder;
import ai.preempt.data.ImageIo;
import ai.preempt.data.ImageLimits;
import ai.preempt.data.LabeledImages;
import ai.preempt.data.Resize;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.model.Classifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Photos as a labelled set for benchmarks on models whose classes are not CIFAR-10's: each photo is fitted
 * to the model's input (centre-crop, resize), stored at 8 bits, and labelled with the model's own
 * prediction; the files are cycled until there are {@code n} images.
 */
final class PhotoSet {

    private PhotoSet() {}

    static LabeledImages load(List<Path> inputs, int n, Classifier f, ImageLimits limits) {
        if (n <= 0) {
            throw new IllegalArgumentException("--n must be at least 1, got " + n);
        }
        int c = (int) f.inputShape().get(0);
        int h = (int) f.inputShape().get(1);
        int w = (int) f.inputShape().get(2);
        List<Image> photos = new ArrayList<>();
        for (Path p : ImageFolder.list(inputs)) {
            photos.add(Resize.fit(ImageIo.read(p, limits), p.getFileName().toString(), h, w, Resize.DEFAULT_POLICY));
        }
        int per = c * h * w;
        byte[] pixels = new byte[n * per];
        for (int i = 0; i < n; i++) {
            float[] v = photos.get(i % photos.size()).chw();
            for (int k = 0; k < per; k++) {
                pixels[i * per + k] = (byte) Math.round(Math.min(1f, Math.max(0f, v[k])) * 255f);
            }
        }
        LabeledImages unlabelled = LabeledImages.of(pixels, new int[n], f.classes(), c, h, w);
        long[] predicted = PreemptEngine.call(() -> {
            try (NDManager m = PreemptEngine.newManager()) {
                return f.predict(unlabelled.images(m, 0, n)).toLongArray();
            }
        });
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (int) predicted[i];
        }
        return LabeledImages.of(pixels, labels, f.classes(), c, h, w);
    }
}

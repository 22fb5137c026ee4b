package ai.preempt.protect;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.preempt.attack.Pgd;
import ai.preempt.data.Image;
import ai.preempt.data.LabeledImages;
import ai.preempt.data.Resize;
import ai.preempt.data.TestData;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.model.NativeClassifier;
import ai.preempt.pipeline.Pipeline;
import ai.preempt.pipeline.PipelineClassifier;
import ai.preempt.robustify.Robustifier;
import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.threat.Norm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * On the bundled adversarially trained model, CIFAR-10 test images upscaled ×2 to 64×64 behind a resize-to-32
 * pipeline: after full-resolution robustification (inner attack at the model's input), a grey-box PGD-20 on the
 * full-size 8-bit photo, through the pipeline, keeps the true label of more photos than the same attack on the
 * unprotected photos.
 */
class FullResolutionRobustnessTest {

    @Test
    void protectedFullSizePhotosResistFullResolutionPgdMoreOftenThanOriginals() {
        int n = 12;
        int size = 64;
        LabeledImages data = ai.preempt.data.Cifar10.load(TestData.cifarDir(), ai.preempt.data.Split.TEST)
                .subset(n, 7);
        List<Image> photos = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            photos.add(Resize.resize(data.image(i), size, size));
            names.add("i" + i);
            labels[i] = data.label(i);
        }
        double eps = 8 / 255.0;
        RobustifyConfig cfg = RobustifyConfig.builder(Norm.LINF, eps).optOuterSteps(10).optSeed(0).build();
        Pipeline pipeline = Pipeline.parse("resize=32");
        try (NativeClassifier f = NativeClassifier.load(Path.of("../models/adv-linf"))) {
            List<Protector.Protected> out = Protector.builder(f, Robustifier.of(cfg)).optPipeline(pipeline).build()
                    .protect(photos, names, labels);
            PipelineClassifier server = PipelineClassifier.builder().setClassifier(f).setPipeline(pipeline)
                    .setPhotoSize(size, size).build();
            Pgd pgd = Pgd.builder().setThreat(cfg.adversary()).optSeed(11).build();
            int[] robust = PreemptEngine.call(() -> {
                try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                    NDArray y = m.create(java.util.Arrays.stream(labels).asLongStream().toArray());
                    NDArray x0 = ai.preempt.robustify.Quantizer.to8bit(stack(m, photos));
                    NDArray xs = stack(m, out.stream().map(Protector.Protected::image).toList());
                    return new int[] {count(pgd.perturb(server, x0, y).predictions(), labels),
                        count(pgd.perturb(server, xs, y).predictions(), labels)};
                }
            });
            System.out.printf("full-resolution PGD-20 through %s keeps the true label of %d/%d originals and %d/%d "
                    + "protected photos%n", pipeline, robust[0], n, robust[1], n);
            assertThat(robust[1]).as("protected vs unprotected").isGreaterThanOrEqualTo(robust[0] + 2);
        }
    }

    private static NDArray stack(NDManager m, List<Image> images) {
        ai.djl.ndarray.NDList l = new ai.djl.ndarray.NDList();
        images.forEach(im -> l.add(im.toNDArray(m)));
        return ai.djl.ndarray.NDArrays.concat(l);
    }

    private static int count(long[] pred, int[] labels) {
        int c = 0;
        for (int i = 0; i < labels.length; i++) {
            c += pred[i] == labels[i] ? 1 : 0;
        }
        return c;
    }
}

package ai.preempt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.data.Image;
import ai.preempt.data.ImageIo;
import ai.preempt.data.TestData;
import ai.preempt.model.NativeClassifier;
import ai.preempt.model.TestModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs every example's main on tiny inputs (an untrained tiny ResNet, a few images, few steps). */
class ExamplesTest {

    @TempDir
    static Path dir;
    private static Path model;

    @BeforeAll
    static void tinyModel() throws Exception {
        model = dir.resolve("tiny");
        try (NativeClassifier f = TestModels.tinyResNet(0)) {
            f.save(model, f.card());
        }
    }

    /** @return what {@code main} printed */
    private static String run(ThrowingRunnable main) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            main.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void protectPhotosWritesOneProtectedPngPerPhotoAtItsOwnSize() throws Exception {
        Path photos = dir.resolve("photos");
        TestData.writePatternPng(photos.resolve("beach.png"), 60, 80, 0.2f);
        TestData.writePatternPng(photos.resolve("street.png"), 32, 32, 0.7f);
        Path out = dir.resolve("protected");
        String printed = run(() -> ProtectPhotos.main(new String[] {photos.toString(), out.toString(),
            model.toString(), "2"}));
        assertThat(printed.lines()).hasSize(2).allMatch(l -> l.contains("robust loss"));
        for (String name : new String[] {"beach.png", "street.png"}) {
            Image in = ImageIo.read(photos.resolve(name));
            Image img = ImageIo.read(out.resolve(name));
            assertThat(new int[] {img.height(), img.width()}).containsExactly(in.height(), in.width());
        }
    }

    @Test
    void attackModelPrintsCleanAndRobustAccuracyUnderPgdAndAutoAttack() throws Exception {
        Path cifar = dir.resolve("cifar");
        TestData.writeTinyCifar(cifar, 4);
        String printed = run(() -> AttackModel.main(new String[] {model.toString(), "4", cifar.toString()}));
        assertThat(printed.lines()).hasSize(2);
        assertThat(printed).contains("on 4 images: clean").contains("robust");
    }

    @Test
    void evaluateRobustificationPrintsTheTableForLabelledFolders() throws Exception {
        Path images = dir.resolve("labelled");
        TestData.writePatternPng(images.resolve("cat").resolve("1.png"), 40, 50, 0.1f);
        TestData.writePatternPng(images.resolve("dog").resolve("2.png"), 32, 32, 0.6f);
        String printed = run(() -> EvaluateRobustification.main(new String[] {images.toString(), model.toString(),
            "2"}));
        assertThat(printed).contains("| None |").contains("| Ours |");
    }
}

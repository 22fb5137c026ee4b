package ai.preempt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.Gradients;
import ai.preempt.engine.PreemptEngine;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks the TorchScript adapter against values computed by PyTorch (tools/make_torchscript_fixture.py). */
class TorchScriptClassifierTest {

    /** expected.json written by the fixture script. */
    record Expected(List<Integer> shape, float[] input, long[] labels, float[] logits, float[] selfnormLogits,
            float lossSum, float[] grad, String torchVersion) {}

    static Path fixture(String name) {
        try {
            return Path.of(TorchScriptClassifierTest.class.getResource("/torchscript/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Expected expected() throws IOException {
        return ModelCard.JSON.readValue(fixture("expected.json").toFile(), Expected.class);
    }

    static float maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void logitsAndInputGradientsMatchPyTorchWithin1e5() throws IOException {
        Expected e = expected();
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch");
                    TorchScriptClassifier f = TorchScriptClassifier.load(fixture("tiny_cnn.pt"))) {
                assertThat(f.normalisesInput()).isTrue();
                NDArray x = m.create(e.input(), new Shape(2, 3, 32, 32));
                NDArray y = m.create(e.labels());
                float logitErr = maxAbsDiff(f.logits(x).toFloatArray(), e.logits());
                Gradients.LossGrad lg = Gradients.of(x, in -> Losses.crossEntropy(f.logits(in), y));
                float gradErr = maxAbsDiff(lg.grad().toFloatArray(), e.grad());
                float lossErr = Math.abs(lg.loss().sum().getFloat() - e.lossSum());
                System.out.printf("TorchScript vs PyTorch %s: max |logit err| %.3g, max |grad err| %.3g,"
                        + " |loss err| %.3g%n", e.torchVersion(), logitErr, gradErr, lossErr);
                assertThat(logitErr).isLessThanOrEqualTo(1e-5f);
                assertThat(gradErr).isLessThanOrEqualTo(1e-5f);
                assertThat(lossErr).isLessThanOrEqualTo(1e-5f);
            }
        });
    }

    @Test
    void selfNormalisingModelLoadsWithoutSideCarWithCifarDefaultsInEvalMode() throws IOException {
        Expected e = expected();
        assertThat(TorchScriptClassifier.sideCarOf(fixture("tiny_cnn_selfnorm.pt"))).doesNotExist();
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch");
                    TorchScriptClassifier f = TorchScriptClassifier.load(fixture("tiny_cnn_selfnorm.pt"))) {
                assertThat(f.normalisesInput()).isFalse();
                assertThat(f.inputShape()).isEqualTo(new Shape(3, 32, 32));
                assertThat(f.classes()).isEqualTo(ModelCard.CIFAR_CLASSES);
                assertThat(f.numClasses()).isEqualTo(10);
                assertThat(f.name()).isEqualTo("tiny_cnn_selfnorm.pt");
                // the file was saved in train mode: matching eval-mode logits proves the adapter switched it
                NDArray x = m.create(e.input(), new Shape(2, 3, 32, 32));
                assertThat(maxAbsDiff(f.logits(x).toFloatArray(), e.selfnormLogits())).isLessThanOrEqualTo(1e-5f);
            }
        });
    }

    @Test
    void repeatedGradientCallsGiveIdenticalGradientsAndParametersStayFrozen() throws IOException {
        Expected e = expected();
        PreemptEngine.run(() -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch");
                    TorchScriptClassifier f = TorchScriptClassifier.load(fixture("tiny_cnn.pt"))) {
                assertThat(f.parametersRequireGradient()).isFalse();
                NDArray x = m.create(e.input(), new Shape(2, 3, 32, 32));
                NDArray y = m.create(e.labels());
                float[] first = Gradients.of(x, in -> Losses.crossEntropy(f.logits(in), y)).grad().toFloatArray();
                for (int i = 0; i < 3; i++) {
                    float[] again = Gradients.of(x, in -> Losses.crossEntropy(f.logits(in), y)).grad().toFloatArray();
                    assertThat(again).containsExactly(first);
                }
                assertThat(f.parametersRequireGradient()).isFalse();
                assertThat(f.logits(x).hasGradient()).isFalse();
            }
        });
    }

    @Test
    void wrongClassCountIsRejectedWithOneSentence() {
        assertThatThrownBy(() -> TorchScriptClassifier.load(fixture("wrong_classes.pt")))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("model wrong_classes.pt outputs 7 scores per image but its classes list has 10"
                        + " entries")
                .hasMessageNotContaining("\n");
    }

    @Test
    void nonTorchScriptFilesAreRejectedWithClearMessages(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("notes.pt"), "this is not a model\n");
        Path empty = Files.write(dir.resolve("empty.pt"), new byte[0]);
        Path png = Files.write(dir.resolve("image.pt"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0});
        Path stateDict = dir.resolve("state_dict.pt");
        try (OutputStream out = Files.newOutputStream(stateDict); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write("x".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        assertThatThrownBy(() -> TorchScriptClassifier.load(text)).isInstanceOf(ModelException.class)
                .hasMessageContaining("notes.pt is not a TorchScript file").hasMessageNotContaining("\n");
        assertThatThrownBy(() -> TorchScriptClassifier.load(png)).isInstanceOf(ModelException.class)
                .hasMessageContaining("image.pt is not a TorchScript file");
        assertThatThrownBy(() -> TorchScriptClassifier.load(empty)).isInstanceOf(ModelException.class)
                .hasMessageContaining("empty.pt is empty (0 bytes)");
        assertThatThrownBy(() -> TorchScriptClassifier.load(stateDict)).isInstanceOf(ModelException.class)
                .hasMessageContaining("without TorchScript code");
        assertThatThrownBy(() -> TorchScriptClassifier.load(dir.resolve("missing.pt")))
                .isInstanceOf(ModelException.class).hasMessageContaining("does not exist");
    }

    @Test
    void badSideCarIsRejectedNamingTheFile(@TempDir Path dir) throws IOException {
        Path model = Files.copy(fixture("tiny_cnn.pt"), dir.resolve("net.pt"));
        Files.writeString(dir.resolve("net.json"), "{\"mean\": [0.5, 0.5, 0.5], \"std\": ");
        assertThatThrownBy(() -> TorchScriptClassifier.load(model)).isInstanceOf(ModelException.class)
                .hasMessageContaining("side-car " + dir.resolve("net.json") + " is not valid JSON")
                .hasMessageNotContaining("\n");
        Files.writeString(dir.resolve("net.json"), "{\"mean\": [0.5, 0.5], \"std\": [0.2, 0.2]}");
        assertThatThrownBy(() -> TorchScriptClassifier.load(model)).isInstanceOf(ModelException.class)
                .hasMessageContaining("net.json needs 3 mean and std values");
    }
}

package ai.preempt.model;

import static ai.preempt.model.TorchScriptClassifierTest.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelsTest {

    @TempDir
    Path dir;

    @AfterEach
    void clearProperty() {
        System.clearProperty(Models.MODELS_PROPERTY);
    }

    private Path nativeModelDir(Path target) throws IOException {
        try (NativeClassifier c = TestModels.tinyResNet(3)) {
            c.save(target, c.card());
        }
        return target;
    }

    @Test
    void loadsNativeDirectoryWithCard() throws IOException {
        Path d = nativeModelDir(dir.resolve("native"));
        try (Classifier c = Models.load(d.toString())) {
            assertThat(c).isInstanceOf(NativeClassifier.class);
            assertThat(c.numClasses()).isEqualTo(10);
        }
    }

    @Test
    void loadsTorchScriptFileWithSideCar() {
        try (Classifier c = Models.load(fixture("tiny_cnn.pt").toString())) {
            assertThat(c).isInstanceOf(TorchScriptClassifier.class);
            assertThat(((TorchScriptClassifier) c).normalisesInput()).isTrue();
        }
    }

    @Test
    void resolvesBareNamesUnderTheModelsDirectory() throws IOException {
        Files.copy(fixture("tiny_cnn.pt"), dir.resolve("cnn.ts"));
        Files.copy(fixture("tiny_cnn.json"), dir.resolve("cnn.json"));
        nativeModelDir(dir.resolve("resnet"));
        System.setProperty(Models.MODELS_PROPERTY, dir.toString());
        assertThat(Models.modelsDir()).isEqualTo(dir);
        try (Classifier ts = Models.load("cnn"); Classifier nat = Models.load("resnet")) {
            assertThat(ts).isInstanceOf(TorchScriptClassifier.class);
            assertThat(ts.name()).isEqualTo("cnn.ts");
            assertThat(nat).isInstanceOf(NativeClassifier.class);
        }
    }

    @Test
    void unknownSpecListsWhatWasTried() {
        System.setProperty(Models.MODELS_PROPERTY, dir.toString());
        assertThatThrownBy(() -> Models.load("nosuchmodel")).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("no model nosuchmodel found; tried ")
                .hasMessageContaining(dir.resolve("nosuchmodel.pt").toString())
                .hasMessageContaining(dir.resolve("nosuchmodel.torchscript").toString());
        for (String spec : List.of("", "/no/such/dir/model.pt")) {
            assertThatThrownBy(() -> Models.load(spec)).isInstanceOf(ModelException.class);
        }
    }
}

package ai.preempt.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.preempt.model.ModelCard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Pipeline strings and "preprocess" objects: what parses, in which order, and one clear message for what does not. */
class PipelineParseTest {

    @TempDir
    Path tmp;

    @Test
    void stagesKeepTheirOrderAndSizesFollowTorchvision() {
        Pipeline p = Pipeline.parse(" resize=256 , crop=224,jpeg=90");
        assertThat(p.spec()).isEqualTo("resize=256,crop=224,jpeg=90");
        // torchvision Resize(256) on 427x640: shorter side 256, longer int(256*640/427) = 383
        assertThat(Pipeline.parse("resize=256").outputSize(new int[] {427, 640})).containsExactly(256, 383);
        assertThat(p.outputSize(new int[] {427, 640})).containsExactly(224, 224);
        assertThat(Pipeline.parse("none").isIdentity()).isTrue();
        assertThat(Pipeline.parse("resize-plain=32x48").outputSize(new int[] {5, 7})).containsExactly(32, 48);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "resize;is not key=value",
        "resize=abc;resize needs a size N or HxW",
        "resize=0;sizes must lie in 1..65536",
        "crop=10x;crop needs a size N or HxW",
        "blur=3;unknown pipeline stage \"blur\"",
        "jpeg=0;jpeg quality must lie in 1..100",
        "jpeg=101;jpeg quality must lie in 1..100",
        "jpeg=high;jpeg needs a quality 1..100",
        "resize=256,crop=300;larger than the shorter side 256",
        "resize=32x32,crop=40x20;crop=40x20 is larger than its input of 32x32",
        "resize=32,,crop=32;is not key=value",
        "resize=;has no value"})
    void badStringsAreRejectedWithOneClearSentence(String text, String message) {
        assertThatThrownBy(() -> Pipeline.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void cropLargerThanThePhotoIsAnErrorNotPadding() {
        assertThatThrownBy(() -> Pipeline.parse("crop=64").outputSize(new int[] {32, 80}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("larger than its input of 32x80");
    }

    @Test
    void preprocessObjectOfACardOrSideCarIsReadInOrder() throws IOException {
        Path card = tmp.resolve("card.json");
        Files.writeString(card, "{\"name\": \"m\", \"preprocess\": {\"resize\": 256, \"crop\": \"224x224\", \"jpeg\": 90}}");
        assertThat(Pipeline.declaredIn(card).spec()).isEqualTo("resize=256,crop=224x224,jpeg=90");
        Path none = tmp.resolve("none.json");
        Files.writeString(none, "{\"name\": \"m\"}");
        assertThat(Pipeline.declaredIn(none)).isNull();
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"preprocess\": {\"resize\": 32, \"crop\": 64}}");
        assertThatThrownBy(() -> Pipeline.declaredIn(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad.json").hasMessageContaining("crop=64");
        // the card reader ignores the object, so a card with it still loads
        assertThat(ModelCard.read(card).name()).isEqualTo("m");
    }

    @Test
    void defaultFitIsIdentityAtTheModelSizeAndResizeCropOtherwise() {
        assertThat(Pipeline.fitTo(new int[] {32, 32}, 32, 32).isIdentity()).isTrue();
        Pipeline p = Pipeline.fitTo(new int[] {427, 640}, 32, 32);
        assertThat(p.outputSize(new int[] {427, 640})).containsExactly(32, 32);
        assertThat(p.spec()).isEqualTo("resize=32,crop=32x32");
    }
}

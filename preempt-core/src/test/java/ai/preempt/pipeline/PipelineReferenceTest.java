package ai.preempt.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.model.ModelCard;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * Resize and crop forward values equal Pillow's and torchvision's on the fixture image made by
 * tools/make_pipeline_fixtures.py: float references within 1e-4, Pillow's 8-bit RGB output within 1/255.
 */
class PipelineReferenceTest {

    @Test
    void resizeAndCropMatchPillowAndTorchvision() throws IOException {
        JsonNode ref;
        try (InputStream in = getClass().getResourceAsStream("/pipeline/reference.json")) {
            ref = ModelCard.JSON.readTree(in);
        }
        int h = ref.get("height").asInt();
        int w = ref.get("width").asInt();
        float[] pixels = new float[3 * h * w];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = ref.get("image").get(i).asInt() / 255f;
        }
        int checked = 0;
        for (JsonNode c : ref.get("cases")) {
            String spec = c.get("pipeline").asText();
            String library = c.get("library").asText();
            float[] expected = new float[c.get("values").size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = (float) c.get("values").get(i).asDouble();
            }
            float[] actual = PreemptEngine.call(() -> {
                try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                    NDArray x = m.create(pixels, new Shape(1, 3, h, w));
                    NDArray y = Pipeline.parse(spec).apply(x);
                    assertThat(y.getShape().slice(1).getShape()).as(spec + " vs " + library)
                            .containsExactly(c.get("shape").get(0).asLong(), c.get("shape").get(1).asLong(),
                                    c.get("shape").get(2).asLong());
                    return y.toFloatArray();
                }
            });
            double tol = library.contains("8-bit") ? 1 / 255.0 + 1e-6 : 1e-4;
            double worst = 0;
            for (int i = 0; i < expected.length; i++) {
                worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
            }
            assertThat(worst).as("max |ours − reference| for %s against %s", spec, library).isLessThanOrEqualTo(tol);
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(20);
    }
}

package ai.preempt.protect;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.data.Image;
import ai.preempt.model.NativeClassifier;
import ai.preempt.model.TestModels;
import ai.preempt.robustify.Robustifier;
import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.threat.Norm;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Photos are protected at their own size: every output has its input's size and order, lies on the 8-bit grid,
 * inside B_δ(x_o) and [0,1] at full resolution; photos of different sizes share one call; a given true label is
 * the label robustification protects; every verdict reports JPEG survival at q = 95, 90, 75.
 */
class ProtectorFullResolutionTest {

    private static Image photo(Random r, int h, int w) {
        float[] px = new float[3 * h * w];
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextInt(256) / 255f;
        }
        return new Image(3, h, w, px);
    }

    @Test
    void protectedPhotosKeepTheirSizeAndStayInsideTheBallAfterRounding() {
        double delta = 8 / 255.0;
        RobustifyConfig cfg = RobustifyConfig.builder(Norm.LINF, delta).optOuterSteps(3).optInnerSteps(2).optSeed(1)
                .build();
        try (NativeClassifier f = TestModels.tinyResNet(2)) {
            Random r = new Random(3);
            int[][] sizes = {{45, 61}, {32, 32}, {45, 61}, {70, 40}};
            List<Image> photos = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < sizes.length; i++) {
                photos.add(photo(r, sizes[i][0], sizes[i][1]));
                names.add("p" + i);
            }
            int[] truth = {3, 5, 7, 9};
            List<Protector.Protected> out = Protector.builder(f, Robustifier.of(cfg)).build()
                    .protect(photos, names, truth);
            assertThat(out).hasSize(sizes.length);
            for (int i = 0; i < sizes.length; i++) {
                Image in = photos.get(i);
                Image o = out.get(i).image();
                Verdict v = out.get(i).verdict();
                assertThat(v.name()).isEqualTo("p" + i);
                assertThat(new int[] {o.height(), o.width(), v.height(), v.width()})
                        .containsExactly(in.height(), in.width(), in.height(), in.width());
                double worst = 0;
                boolean moved = false;
                for (int k = 0; k < o.chw().length; k++) {
                    float p = o.chw()[k];
                    assertThat(p).isBetween(0f, 1f);
                    assertThat(Math.abs(p * 255 - Math.round(p * 255))).isLessThan(1e-3f);
                    worst = Math.max(worst, Math.abs(p - in.chw()[k]));
                    moved |= p != in.chw()[k];
                }
                assertThat(worst).as("‖x − x_o‖∞ of %s", v.name()).isLessThanOrEqualTo(delta + 1e-6);
                assertThat(moved).isTrue();
                assertThat(v.protectedLabel()).isEqualTo(truth[i]);
                assertThat(v.trueLabel()).isEqualTo(truth[i]);
                assertThat(v.pipeline()).isEqualTo(in.height() == 32 && in.width() == 32 ? "none" : "resize=32,crop=32x32");
                assertThat(v.jpeg()).extracting(Verdict.JpegSurvival::quality).containsExactly(95, 90, 75);
            }
        }
    }
}

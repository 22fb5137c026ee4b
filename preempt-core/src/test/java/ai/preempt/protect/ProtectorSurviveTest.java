package ai.preempt.protect;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.data.Image;
import ai.preempt.model.NativeClassifier;
import ai.preempt.model.TestModels;
import ai.preempt.pipeline.Jpeg;
import ai.preempt.robustify.Robustifier;
import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.threat.Norm;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code --survive jpeg:q} robustifies for the server both as it is and after the re-encode: the verdict names
 * both pipelines, every outer step pays for both views' inner attacks (and the lossless server's check and rerun
 * are counted), and the same seed gives the same bytes.
 */
class ProtectorSurviveTest {

    private static List<Protector.Protected> protect(NativeClassifier f, RobustifyConfig cfg, Jpeg survive) {
        Random r = new Random(5);
        float[] px = new float[3 * 32 * 32];
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextInt(256) / 255f;
        }
        return Protector.builder(f, Robustifier.of(cfg)).optSurvive(survive).build()
                .protect(List.of(new Image(3, 32, 32, px)), List.of("p"), new int[] {4});
    }

    @Test
    void surviveRobustifiesForTheLosslessAndTheReencodingServerAlike() {
        int outer = 3;
        int inner = 2;
        RobustifyConfig cfg = RobustifyConfig.builder(Norm.LINF, 8 / 255.0).optOuterSteps(outer).optInnerSteps(inner)
                .optSeed(1).build();
        try (NativeClassifier f = TestModels.tinyResNet(2)) {
            long judge = inner + 1; // Lemma 1 on the written image, m = 1
            Verdict plain = protect(f, cfg, null).get(0).verdict();
            assertThat(plain.robustifiedThrough()).isEqualTo("none");
            assertThat(plain.passes()).isEqualTo(outer * (inner + 1) + judge);
            List<Protector.Protected> once = protect(f, cfg, new Jpeg(75));
            Verdict v = once.get(0).verdict();
            assertThat(v.pipeline()).isEqualTo("none");
            assertThat(v.robustifiedThrough()).isEqualTo("none and jpeg=75");
            // both views' inner attacks at every step, then the lossless server's check on the result (1 restart if
            // it fools it, else 2) and, if it did, the rerun for the lossless server alone with the same check
            long restart = inner + 1;
            long afterMean = v.passes() - judge - 2L * outer * restart;
            if (v.outerSteps() == outer) {
                assertThat(afterMean).as("passed the check: its 2 restarts").isEqualTo(2 * restart);
            } else {
                assertThat(v.outerSteps()).as("the mean's T steps and the rerun's").isEqualTo(2 * outer);
                assertThat(afterMean - outer * restart).as("the rerun and both checks").isBetween(2 * restart, 4 * restart);
            }
            assertThat(protect(f, cfg, new Jpeg(75)).get(0).image().chw()).as("same seed, same bytes")
                    .containsExactly(once.get(0).image().chw());
        }
    }
}

package ai.preempt.protect;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.data.Image;
import ai.preempt.model.MinRowsClassifier;
import ai.preempt.model.NativeClassifier;
import ai.preempt.model.TestModels;
import ai.preempt.robustify.Robustifier;
import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.threat.Norm;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Verdict grouping in a {@link ProtectStream}: photos that finish at different steps are judged together when
 * enough have finished, when the earliest has waited long enough, or when none is left being robustified, and
 * each gets bitwise the photo and verdict it gets when judged the step it finishes.
 */
class ProtectStreamTest {

    private static NativeClassifier tiny;
    private static Protector protector;

    @BeforeAll
    static void load() {
        tiny = TestModels.tinyResNet(2);
        RobustifyConfig cfg = RobustifyConfig.builder(Norm.LINF, 8 / 255.0).optOuterSteps(3).optInnerSteps(2)
                .optSeed(1).build();
        // the service's batch invariance: every pass on at least 4 rows
        protector = Protector.builder(new MinRowsClassifier(tiny, 4), Robustifier.of(cfg)).build();
    }

    @AfterAll
    static void close() {
        tiny.close();
    }

    private static Image photo(int seed) {
        Random r = new Random(seed);
        float[] px = new float[3 * 40 * 48];
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextInt(256) / 255f;
        }
        return new Image(3, 40, 48, px);
    }

    /** Admits photo i before step i (so they finish at steps 2, 3, 4); @return per photo: the step judged, result */
    private static Map<Integer, Map.Entry<Integer, Protector.Protected>> run(ProtectStream.VerdictGrouping g) {
        Map<Integer, Map.Entry<Integer, Protector.Protected>> out = new LinkedHashMap<>();
        try (ProtectStream s = protector.stream(40, 48, g)) {
            List<Long> ids = new ArrayList<>();
            for (int step = 0; step < 20 && (step < 3 || !s.isEmpty()); step++) {
                if (step < 3) {
                    ids.add(s.admit(List.of(photo(step)), List.of("p" + step))[0]);
                }
                for (ProtectStream.Done d : s.step()) {
                    out.put(ids.indexOf(d.id()), Map.entry(step, d.result()));
                }
            }
            assertThat(s.isEmpty()).isTrue();
            assertThat(s.awaitingVerdict()).isZero();
        }
        return out;
    }

    private static void assertSameResults(Map<Integer, Map.Entry<Integer, Protector.Protected>> a,
            Map<Integer, Map.Entry<Integer, Protector.Protected>> b) {
        assertThat(a.keySet()).containsExactlyInAnyOrderElementsOf(b.keySet());
        for (int i : a.keySet()) {
            Protector.Protected x = a.get(i).getValue();
            Protector.Protected y = b.get(i).getValue();
            assertThat(x.image().chw()).as("photo %d", i).containsExactly(y.image().chw());
            assertThat(x.verdict().robustLoss()).as("robust loss of photo %d", i).isEqualTo(y.verdict().robustLoss());
            assertThat(x.verdict().labelAfter()).isEqualTo(y.verdict().labelAfter());
        }
    }

    private static List<Integer> stepsJudged(Map<Integer, Map.Entry<Integer, Protector.Protected>> r) {
        return List.of(r.get(0).getKey(), r.get(1).getKey(), r.get(2).getKey());
    }

    @Test
    void groupedVerdictsWaitForEnoughPhotosAndEqualImmediateOnes() {
        var immediate = run(ProtectStream.VerdictGrouping.IMMEDIATE);
        assertThat(stepsJudged(immediate)).containsExactly(2, 3, 4);
        var twoAtATime = run(new ProtectStream.VerdictGrouping(2, 10));
        // photos 0 and 1 are judged together when photo 1 finishes; photo 2, alone, when nothing is left to robustify
        assertThat(stepsJudged(twoAtATime)).containsExactly(3, 3, 4);
        assertSameResults(twoAtATime, immediate);
    }

    @Test
    void aWaitingPhotoIsJudgedAfterAtMostTheGivenSteps() {
        var immediate = run(ProtectStream.VerdictGrouping.IMMEDIATE);
        var waitOne = run(new ProtectStream.VerdictGrouping(10, 1));
        // photo 0 finishes at step 2 and has waited one step at step 3, where photo 1 finishes and joins it
        assertThat(stepsJudged(waitOne)).containsExactly(3, 3, 4);
        var all = run(new ProtectStream.VerdictGrouping(10, 100));
        assertThat(stepsJudged(all)).as("judged when the stream has nothing left to robustify").containsExactly(4, 4, 4);
        assertSameResults(waitOne, immediate);
        assertSameResults(all, immediate);
    }
}

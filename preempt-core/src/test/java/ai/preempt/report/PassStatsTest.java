package ai.preempt.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PassStatsTest {

    @Test
    void meanMedianAndNearestRank95thPercentileOfUnsortedCounts() {
        long[] passes = new long[20];
        for (int i = 0; i < 20; i++) {
            passes[i] = (i * 7) % 20 * 10L + 10; // 10, 20, …, 200 in scrambled order
        }
        PassStats s = PassStats.of(passes);
        assertThat(s.mean()).isEqualTo(105.0);
        assertThat(s.median()).isEqualTo(110.0);
        assertThat(s.p95()).isEqualTo(190.0); // rank ceil(0.95·20) = 19
        assertThat(passes[1]).isEqualTo(80); // the input is not sorted in place
        assertThat(PassStats.of(new long[] {42})).isEqualTo(new PassStats(42, 42, 42));
        assertThat(PassStats.of(new long[0])).isEqualTo(PassStats.NONE);
    }
}

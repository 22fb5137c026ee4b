package ai.preempt.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The engine's default thread count leaves the busy cores alone and never drops below one thread. */
class DefaultThreadsTest {

    @Test
    void anIdleMachineGetsEveryCore() {
        assertThat(PreemptEngine.defaultThreads(2, 0.1)).isEqualTo(2);
        assertThat(PreemptEngine.defaultThreads(8, 0.0)).isEqualTo(8);
    }

    @Test
    void busyCoresAreLeftAlone() {
        assertThat(PreemptEngine.defaultThreads(2, 1.0)).isEqualTo(1);
        assertThat(PreemptEngine.defaultThreads(8, 2.7)).isEqualTo(5);
    }

    @Test
    void aSaturatedMachineStillGetsOneThread() {
        assertThat(PreemptEngine.defaultThreads(2, 6.5)).isEqualTo(1);
    }

    @Test
    void anUnknownLoadMeansEveryCore() {
        assertThat(PreemptEngine.defaultThreads(4, -1)).isEqualTo(4);
    }
}

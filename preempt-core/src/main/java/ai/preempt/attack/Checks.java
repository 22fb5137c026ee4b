package ai.preempt.attack;

import ai.preempt.threat.ThreatModel;

/** Setting checks shared by the attack builders. */
final class Checks {

    private Checks() {}

    /**
     * @return {@code value}
     * @throws IllegalArgumentException "{@code message}, got {@code value}" when value &lt; min
     */
    static int atLeast(int min, int value, String message) {
        if (value < min) {
            throw new IllegalArgumentException(message + ", got " + value);
        }
        return value;
    }

    /** @throws IllegalStateException "{@code attack} needs a threat model" when {@code threat} is null */
    static void threatSet(ThreatModel threat, String attack) {
        if (threat == null) {
            throw new IllegalStateException(attack + " needs a threat model");
        }
    }
}

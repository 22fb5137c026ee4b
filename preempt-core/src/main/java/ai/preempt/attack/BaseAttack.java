package ai.preempt.attack;

import ai.preempt.threat.ThreatModel;

/** The threat model and name every attack carries; the attack itself is the subclass's job. */
abstract class BaseAttack implements Attack {

    final ThreatModel threat;
    private final String name;

    BaseAttack(String name, AttackBuilder<?, ?> b) {
        this.threat = b.threat;
        this.name = name;
    }

    @Override
    public final ThreatModel threat() {
        return threat;
    }

    @Override
    public final String name() {
        return name;
    }
}

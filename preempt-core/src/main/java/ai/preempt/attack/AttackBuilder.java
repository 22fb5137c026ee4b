package ai.preempt.attack;

import ai.preempt.threat.ThreatModel;

/**
 * What every attack's builder sets: the threat model, which {@link #build()} requires.
 *
 * @param <B> the concrete builder, returned by the setters for chaining
 * @param <A> the attack it builds
 */
public abstract class AttackBuilder<B extends AttackBuilder<B, A>, A extends Attack> {

    ThreatModel threat;
    private final String attack;

    AttackBuilder(String attack) {
        this.attack = attack;
    }

    /** Required: the ball to attack in. */
    public B setThreat(ThreatModel t) {
        this.threat = t;
        return self();
    }

    /**
     * @return the attack
     * @throws IllegalStateException when no threat model was set
     */
    public A build() {
        Checks.threatSet(threat, attack);
        return create();
    }

    /** @return the attack, once the threat model is known to be set */
    abstract A create();

    @SuppressWarnings("unchecked")
    final B self() {
        return (B) this;
    }
}

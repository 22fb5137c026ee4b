package ai.preempt.attack;

/**
 * The builder of a randomised attack: adds the seed of its random choices.
 *
 * @param <B> the concrete builder
 * @param <A> the attack it builds
 */
public abstract class SeededBuilder<B extends SeededBuilder<B, A>, A extends Attack> extends AttackBuilder<B, A> {

    long seed;

    SeededBuilder(String attack) {
        super(attack);
    }

    /** Seed of the attack's random choices (default 0); the same seed gives the same result. */
    public B optSeed(long s) {
        this.seed = s;
        return self();
    }
}

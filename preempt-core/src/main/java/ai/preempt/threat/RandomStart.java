package ai.preempt.threat;

/**
 * Where an attack (or the robustifier) starts inside the ball.
 *
 * <p>For L∞ both random choices draw uniformly from the box. For L2 the reference implementation draws
 * uniform noise in [−0.5, 0.5]^d and rescales it to norm ε, i.e. a point on the sphere ({@link #SPHERE});
 * the paper says "uniform in the ball" ({@link #BALL}). method.md: offer both, default to the reference.
 */
public enum RandomStart {
    /** Start at the clean point. */
    NONE,
    /** The reference: L∞ uniform in the box, L2 on the ε-sphere. */
    SPHERE,
    /** The paper: uniform in the ball (L∞ box, L2 ball). */
    BALL
}

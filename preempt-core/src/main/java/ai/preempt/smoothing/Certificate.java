package ai.preempt.smoothing;

/**
 * Cohen et al.'s CERTIFY outcome for one image.
 *
 * @param prediction the certified class, or {@link SmoothedClassifier#ABSTAIN} (−1) when p_A's lower bound is
 *     below one half
 * @param radius the certified L2 radius σ·Φ⁻¹(p_A); 0 when abstaining
 * @param pLower the one-sided Clopper–Pearson lower confidence bound p_A
 * @param countA estimation samples that the base classifier labelled with the selected class
 * @param samples estimation samples drawn (n)
 */
public record Certificate(int prediction, double radius, double pLower, long countA, long samples) {

    /** @return true when CERTIFY abstained */
    public boolean abstained() {
        return prediction == SmoothedClassifier.ABSTAIN;
    }
}

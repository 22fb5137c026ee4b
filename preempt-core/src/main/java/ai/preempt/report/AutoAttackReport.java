package ai.preempt.report;

import ai.preempt.attack.GradientMaskingChecks;
import java.util.List;
import java.util.Map;

/**
 * The result of an AutoAttack evaluation; serialised as the JSON report.
 *
 * @param model the classifier's name
 * @param attack the ensemble's settings
 * @param config every option of the run
 * @param n number of images
 * @param cleanAccuracy fraction classified correctly without attack
 * @param robustAccuracy fraction classified correctly and fooled by no component
 * @param componentSuccesses per component, in order, how many images it fooled (each only tried images
 *     every earlier component failed on)
 * @param robustAfter per component, the robust accuracy after it ran
 * @param checks the gradient-masking checks
 * @param seconds wall time of this invocation (a resumed run counts only its own time)
 * @param images per-image results
 */
public record AutoAttackReport(String model, String attack, Map<String, Object> config, int n, double cleanAccuracy,
        double robustAccuracy, Map<String, Integer> componentSuccesses, Map<String, Double> robustAfter,
        GradientMaskingChecks.Report checks, double seconds, List<ImageResult> images) {

    /**
     * One image's result.
     *
     * @param index index in the dataset
     * @param label true label
     * @param cleanPrediction prediction on the clean image
     * @param adversarialPrediction prediction on the successful component's output (the clean prediction
     *     when robust)
     * @param fooledBy the component that fooled it, or null
     * @param robust clean prediction correct and every component failed
     */
    public record ImageResult(int index, int label, long cleanPrediction, long adversarialPrediction,
            String fooledBy, boolean robust) {}

    /** @return the same numbers as a generic {@link AttackReport} (for tables shared with other attacks) */
    public AttackReport toAttackReport() {
        List<AttackReport.ImageResult> r = images.stream()
                .map(i -> new AttackReport.ImageResult(i.index(), i.label(), i.cleanPrediction(),
                        i.adversarialPrediction(), i.fooledBy() != null, i.robust()))
                .toList();
        return new AttackReport(model, attack, config, n, cleanAccuracy, robustAccuracy, seconds, r);
    }
}

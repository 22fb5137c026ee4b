package ai.preempt.report;

import java.util.List;
import java.util.Map;

/**
 * The result of attacking a classifier on a set of labelled images; serialised as the JSON report.
 *
 * @param model the classifier's name
 * @param attack the attack's settings ({@code toString()} of the attack)
 * @param config every option of the run
 * @param n number of images
 * @param cleanAccuracy fraction classified correctly without attack
 * @param robustAccuracy fraction classified correctly and not fooled by the attack
 * @param seconds wall time
 * @param images per-image results
 */
public record AttackReport(String model, String attack, Map<String, Object> config, int n, double cleanAccuracy,
        double robustAccuracy, double seconds, List<ImageResult> images) {

    /**
     * One image's result.
     *
     * @param index index in the dataset (e.g. CIFAR-10 test index)
     * @param label true label
     * @param cleanPrediction prediction on the clean image
     * @param adversarialPrediction prediction on the attack's output
     * @param attackSucceeded the attack changed the label (on a correctly classified image)
     * @param robust clean prediction correct and the attack failed
     */
    public record ImageResult(int index, int label, long cleanPrediction, long adversarialPrediction,
            boolean attackSucceeded, boolean robust) {}
}

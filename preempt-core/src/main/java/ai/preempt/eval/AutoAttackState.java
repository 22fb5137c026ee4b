package ai.preempt.eval;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The resumable state of an AutoAttack evaluation, saved as JSON after every batch: the run's identity
 * (model, attack settings, batch size, images) and, keyed by dataset index, each image's status after the
 * components run so far. A run given an existing state file skips the work it records; a state file of a
 * different run is rejected.
 *
 * @param model the classifier's name
 * @param attack the ensemble's settings ({@code toString()})
 * @param batch batch size (batch composition, hence seeding, depends on it)
 * @param data which images: their count and a hash of their dataset indices
 * @param components component names in order
 * @param maxLogitDifference largest difference between two forward passes seen so far
 * @param images per dataset index, the image's status
 */
public record AutoAttackState(String model, String attack, int batch, String data, List<String> components,
        double maxLogitDifference, TreeMap<Integer, ImageState> images) {

    /**
     * One image's status.
     *
     * @param label true label
     * @param cleanPrediction prediction on the clean image
     * @param zeroGradient the cross-entropy gradient at the clean image is exactly zero
     * @param completed how many components have been run on it (or decided it)
     * @param fooledBy name of the component that fooled it, or null
     * @param prediction the prediction on the adversarial point (the clean one while robust)
     */
    public record ImageState(int label, long cleanPrediction, boolean zeroGradient, int completed, String fooledBy,
            long prediction) {

        /** @return the clean prediction is correct */
        public boolean cleanCorrect() {
            return cleanPrediction == label;
        }

        /** @return a copy after component {@code index} ran; {@code fooledName} null when it failed */
        public ImageState after(int index, String fooledName, long pred) {
            return new ImageState(label, cleanPrediction, zeroGradient, index + 1,
                    fooledName == null ? fooledBy : fooledName, fooledName == null ? prediction : pred);
        }
    }

    /** @return an empty state for a run */
    public static AutoAttackState start(String model, String attack, int batch, String data, List<String> components) {
        return new AutoAttackState(model, attack, batch, data, List.copyOf(components), 0, new TreeMap<>());
    }

    /** @return the state with another logit difference maximum */
    public AutoAttackState withMaxLogitDifference(double d) {
        return new AutoAttackState(model, attack, batch, data, components, Math.max(d, maxLogitDifference), images);
    }

    /**
     * Loads {@code file} when it exists and belongs to the same run, else returns {@code fresh}.
     *
     * @throws IllegalArgumentException when the file records a different run
     */
    public static AutoAttackState resume(Path file, AutoAttackState fresh) {
        AutoAttackState s = StateFiles.read(file, AutoAttackState.class);
        if (s == null) {
            return fresh;
        }
        if (!s.model().equals(fresh.model()) || !s.attack().equals(fresh.attack()) || s.batch() != fresh.batch()
                || !s.components().equals(fresh.components()) || !String.valueOf(s.data()).equals(fresh.data())) {
            throw new IllegalArgumentException("the state file " + file + " belongs to another run (model "
                    + s.model() + ", batch " + s.batch() + ", images " + s.data() + ", " + s.attack()
                    + "); delete it or choose another");
        }
        return new AutoAttackState(s.model(), s.attack(), s.batch(), s.data(), s.components(), s.maxLogitDifference(),
                s.images() == null ? new TreeMap<>() : new TreeMap<>(s.images()));
    }

    /** Writes the state atomically; does nothing when {@code file} is null. */
    public void save(Path file) {
        StateFiles.save(file, this);
    }

    /** @return the images map (mutable; the evaluation updates it in place) */
    public Map<Integer, ImageState> status() {
        return images;
    }
}

package ai.preempt.eval;

import ai.preempt.model.ModelCard;
import ai.preempt.report.EvalReport;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The resumable state of a {@link PreemptionEvaluation}, saved as JSON after every (batch, preemption): the
 * run's identity (model, batch size and every option, as JSON) and each finished batch's per-image results.
 * A run given an existing state file skips the batches it records; a state file of another run is rejected.
 *
 * @param run the run's identity
 * @param batches finished batches, in the order they finished
 */
public record EvalState(String run, List<BatchResult> batches) {

    /**
     * One batch under one preemption.
     *
     * @param preemption None or Ours
     * @param from position of the batch's first image in the subset
     * @param seconds wall time of robustification (0 for None)
     * @param perBudget attack name → images robust per ε' of the white-box attack (Ours with white box only)
     * @param images per-image results
     */
    public record BatchResult(String preemption, int from, double seconds, Map<String, int[]> perBudget,
            List<EvalReport.ImageRow> images) {}

    /** @return the identity of a run: the model, the batch size and every recorded option */
    public static String identity(String model, int batch, Map<String, Object> config) {
        try {
            return model + " batch " + batch + " " + ModelCard.JSON.writer().withoutFeatures(
                    com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot describe the run: " + e.getMessage(), e);
        }
    }

    /**
     * Loads {@code file} when it exists and records the same run, else returns an empty state.
     *
     * @throws IllegalArgumentException when the file is unreadable or records another run
     */
    public static EvalState resume(Path file, String run) {
        EvalState s = StateFiles.read(file, EvalState.class);
        if (s == null) {
            return new EvalState(run, List.of());
        }
        if (!run.equals(s.run())) {
            throw new IllegalArgumentException("the state file " + file + " belongs to another run (" + s.run()
                    + "), not this one (" + run + "); delete it or choose another");
        }
        return new EvalState(run, s.batches() == null ? List.of() : List.copyOf(s.batches()));
    }

    /** @return the finished batch starting at {@code from} under {@code preemption}, or null */
    public BatchResult find(String preemption, int from) {
        return batches.stream().filter(b -> b.from() == from && b.preemption().equals(preemption)).findFirst()
                .orElse(null);
    }

    /** @return this state with one more finished batch */
    public EvalState with(BatchResult b) {
        List<BatchResult> all = new ArrayList<>(batches);
        all.add(b);
        return new EvalState(run, List.copyOf(all));
    }

    /** Writes the state atomically; does nothing when {@code file} is null. */
    public void save(Path file) {
        StateFiles.save(file, this);
    }
}

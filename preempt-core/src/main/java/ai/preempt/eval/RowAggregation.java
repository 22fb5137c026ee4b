package ai.preempt.eval;

import ai.preempt.report.EvalReport;
import ai.preempt.report.PassStats;
import ai.preempt.robustify.Lemma1;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One table row from a preemption's finished batches: accuracies as fractions of all images, Lemma 1's share
 * over the correctly classified originals (as the paper reports it), mean reconstruction error, time and passes.
 */
final class RowAggregation {

    private RowAggregation() {}

    /**
     * @param model the model's name
     * @param p the row's preemption
     * @param parts the row's finished batches
     * @param attacks the attack columns, in order
     * @param whiteBox whether the white-box columns were evaluated
     */
    static EvalReport.Row row(String model, Preemption p, List<EvalState.BatchResult> parts,
            Collection<String> attacks, boolean whiteBox) {
        boolean ours = p == Preemption.OURS;
        List<EvalReport.ImageRow> images = parts.stream().flatMap(b -> b.images().stream()).toList();
        int n = images.size();
        int clean = 0;
        double recErr = 0;
        Map<String, Integer> grey = new LinkedHashMap<>();
        Map<String, Integer> white = new LinkedHashMap<>();
        double[] loss = new double[n];
        boolean[] correctOriginal = new boolean[n];
        for (int k = 0; k < n; k++) {
            EvalReport.ImageRow i = images.get(k);
            clean += i.prediction() == i.label() ? 1 : 0;
            loss[k] = i.robustLoss();
            correctOriginal[k] = i.protectedLabel() == i.label();
            recErr += Double.isNaN(i.reconstructionError()) ? 0 : i.reconstructionError();
            i.greyBoxRobust().forEach((a, v) -> grey.merge(a, v ? 1 : 0, Integer::sum));
            i.whiteBoxRobust().forEach((a, v) -> white.merge(a, v ? 1 : 0, Integer::sum));
        }
        Map<String, int[]> perBudget = new LinkedHashMap<>();
        double seconds = 0;
        for (EvalState.BatchResult b : parts) {
            seconds += b.seconds();
            b.perBudget().forEach((a, pb) -> {
                int[] sum = perBudget.computeIfAbsent(a, k -> new int[pb.length]);
                for (int i = 0; i < pb.length; i++) {
                    sum[i] += pb[i];
                }
            });
        }
        Map<String, Double> greyAcc = new LinkedHashMap<>();
        Map<String, Double> whiteAcc = new LinkedHashMap<>();
        Map<String, double[]> perBudgetAcc = new LinkedHashMap<>();
        for (String a : attacks) {
            greyAcc.put(a, grey.getOrDefault(a, 0) / (double) n);
            whiteAcc.put(a, white.containsKey(a) ? white.get(a) / (double) n : Double.NaN);
            int[] pb = perBudget.get(a);
            if (pb != null) {
                double[] acc = new double[pb.length];
                for (int b = 0; b < pb.length; b++) {
                    acc[b] = pb[b] / (double) n;
                }
                perBudgetAcc.put(a, acc);
            }
        }
        return new EvalReport.Row(model, p.title(), n, clean / (double) n, greyAcc, whiteAcc, perBudgetAcc,
                ours ? Lemma1.share(loss, correctOriginal) : Double.NaN,
                ours && whiteBox ? recErr / n : Double.NaN, ours ? seconds / n : 0,
                PassStats.of(images.stream().mapToLong(EvalReport.ImageRow::passes).toArray()));
    }
}

package ai.preempt.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The paper's table (Tables 1–2 shape) with per-image results behind it.
 *
 * @param config every option of the run
 * @param rows one row per (model, preemption)
 * @param images per-image results, all rows
 */
public record EvalReport(Map<String, Object> config, List<Row> rows, List<ImageRow> images) {

    /**
     * One table row. Accuracies are fractions of all images.
     *
     * @param model model name
     * @param preemption None or Ours
     * @param n images
     * @param clean f(x_s) = y
     * @param greyBox attack name → accuracy under the attack on x_s
     * @param whiteBox attack name → worst case over ε' of the adaptive attack (per image: robust against every ε')
     * @param whiteBoxPerBudget attack name → accuracy per ε' (ε/4, ε/2, 3ε/4, ε)
     * @param lemma1 share of the correctly classified originals whose written x_s has robust loss ≤ log 2 (Lemma 1,
     *     as the paper reports it; NaN for None)
     * @param meanReconstructionError mean ‖x_rec − x_o‖ (NaN for None)
     * @param secondsPerImage wall time of robustification per image (0 for None)
     * @param passes forward+backward passes of robustification per image (all zero for None)
     */
    public record Row(String model, String preemption, int n, double clean, Map<String, Double> greyBox,
            Map<String, Double> whiteBox, Map<String, double[]> whiteBoxPerBudget, double lemma1,
            double meanReconstructionError, double secondsPerImage, PassStats passes) {}

    /**
     * One image under one preemption.
     *
     * @param index dataset index
     * @param label true label
     * @param preemption None or Ours
     * @param prediction f(x_s)
     * @param protectedLabel ŷ, the label robustification protected, i.e. f(x_o) (−1 for None)
     * @param robustLoss robust loss of x_s as written, Lemma 1's measure (NaN for None)
     * @param greyBoxRobust attack name → correct and not fooled
     * @param whiteBoxRobust attack name → correct and robust against every ε'
     * @param reconstructionError ‖x_rec − x_o‖ (NaN for None)
     * @param passes forward+backward passes robustification spent on the image (0 for None)
     */
    public record ImageRow(int index, int label, String preemption, long prediction, long protectedLabel,
            double robustLoss, Map<String, Boolean> greyBoxRobust, Map<String, Boolean> whiteBoxRobust,
            double reconstructionError, long passes) {}

    /** @return the table in Markdown: Clean, grey-box and white-box columns per attack, in percent */
    public String toMarkdown(List<String> attacks) {
        StringBuilder sb = new StringBuilder("| Model | Preemption | Clean |");
        StringBuilder rule = new StringBuilder("| --- | --- | ---: |");
        for (String a : attacks) {
            sb.append(" Grey-box ").append(a.toUpperCase(Locale.ROOT)).append(" |");
            rule.append(" ---: |");
        }
        for (String a : attacks) {
            sb.append(" White-box ").append(a.toUpperCase(Locale.ROOT)).append(" |");
            rule.append(" ---: |");
        }
        sb.append('\n').append(rule).append('\n');
        for (Row r : rows) {
            sb.append("| ").append(r.model()).append(" | ").append(r.preemption()).append(" | ")
                    .append(pct(r.clean())).append(" |");
            for (String a : attacks) {
                sb.append(' ').append(pct(r.greyBox().get(a))).append(" |");
            }
            for (String a : attacks) {
                sb.append(' ').append(pct(r.whiteBox().get(a))).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String pct(Double v) {
        return v == null || v.isNaN() ? "–" : String.format(Locale.ROOT, "%.2f", 100 * v);
    }
}

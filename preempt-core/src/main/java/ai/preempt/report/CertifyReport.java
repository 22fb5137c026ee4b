package ai.preempt.report;

import java.util.List;
import java.util.Map;

/**
 * Certified robustness of a smoothed classifier on a set of labelled images; serialised as the JSON report.
 *
 * @param model the base classifier's name
 * @param smoothing the smoothed classifier's settings ({@code toString()})
 * @param config every option of the run
 * @param n number of images
 * @param radii the radii of the summary table
 * @param certifiedAccuracy per radius of {@code radii}: fraction certified correct with at least that radius
 * @param abstentions images on which CERTIFY abstained
 * @param seconds wall time
 * @param images per-image results
 */
public record CertifyReport(String model, String smoothing, Map<String, Object> config, int n, List<Double> radii,
        List<Double> certifiedAccuracy, int abstentions, double seconds, List<CertifiedImage> images) {

    /**
     * One image's certificate.
     *
     * @param index index in the dataset (e.g. CIFAR-10 test index)
     * @param label true label
     * @param prediction CERTIFY's class, −1 when it abstained
     * @param radius certified L2 radius, 0 when it abstained
     * @param pLower lower confidence bound on the top class's probability
     * @param countA estimation samples voting for the selected class
     * @param correct prediction equals label
     * @param seconds time spent on this image
     */
    public record CertifiedImage(int index, int label, int prediction, double radius, double pLower, long countA,
            boolean correct, double seconds) {}

    /** @return the fraction of images whose prediction is correct with radius at least {@code r} */
    public static double accuracyAt(List<CertifiedImage> results, double r) {
        if (results.isEmpty()) {
            return 0;
        }
        long ok = results.stream().filter(c -> c.correct() && c.radius() >= r).count();
        return (double) ok / results.size();
    }
}

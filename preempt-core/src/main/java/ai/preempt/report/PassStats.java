package ai.preempt.report;

import java.util.Arrays;

/**
 * Forward+backward passes robustification spent per image: mean, median and 95th percentile (nearest rank).
 *
 * @param mean mean passes per image
 * @param median the median (the upper one for an even count)
 * @param p95 the 95th percentile, nearest rank
 */
public record PassStats(double mean, double median, double p95) {

    /** No images: all zero. */
    public static final PassStats NONE = new PassStats(0, 0, 0);

    /** @return the statistics of per-image pass counts; {@link #NONE} for none */
    public static PassStats of(long[] passes) {
        if (passes.length == 0) {
            return NONE;
        }
        long[] p = passes.clone();
        Arrays.sort(p);
        return new PassStats(Arrays.stream(p).average().orElse(0), p[p.length / 2],
                p[Math.min(p.length - 1, (int) Math.ceil(0.95 * p.length) - 1)]);
    }
}

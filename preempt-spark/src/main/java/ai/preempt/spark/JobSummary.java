package ai.preempt.spark;

import java.util.Map;

/**
 * What one run of the protect job did.
 *
 * @param inputFiles input rows (files or Parquet rows) seen
 * @param images distinct images (content hashes): the verdict table's rows
 * @param protectedImages images protected (now or by an earlier run)
 * @param failed inputs that are not usable images
 * @param failedByReason failed inputs per reason
 * @param processed inputs this run worked on (the rest were complete from an earlier run)
 * @param reused inputs whose outputs an earlier run had completed
 * @param protectSeconds wall time of the protect stage
 * @param totalSeconds wall time of the whole job (protect stage, verdict table, summary)
 * @param imagesPerSecond processed / protectSeconds
 * @param labeled protected images with a true label (from a class-per-folder tree)
 * @param accuracy on labeled images: the classifier's accuracy on the original and the protected image, before
 *     and after the check attack (keys clean_original, attacked_original, clean_protected, attacked_protected);
 *     empty when no image is labeled; the attacked entries are absent without the check
 */
public record JobSummary(long inputFiles, long images, long protectedImages, long failed, Map<String, Long> failedByReason,
        long processed, long reused, double protectSeconds, double totalSeconds, double imagesPerSecond, long labeled,
        Map<String, Double> accuracy) {}

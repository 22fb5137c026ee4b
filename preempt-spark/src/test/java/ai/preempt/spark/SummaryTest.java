package ai.preempt.spark;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.protect.Verdict;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The summary's counts and accuracies before and after the check attack, from a verdict table. */
class SummaryTest {

    private static Verdict verdict(String name, long before, long after, int truth, long attackedOriginal,
            long attackedProtected) {
        return new Verdict(name, before, "c" + before, after, "c" + after, before, 0.5, true, 0.03, 0.5, 40, 0.99, 10,
                1, truth, attackedOriginal, attackedProtected, 32, 32, "none", "none", List.of());
    }

    @Test
    void accuracyCountsOnlyLabeledProtectedImagesAndFailuresGroupByReason() {
        List<ImageRecord> records = List.of(
                // right before, fooled by the attack, protected survives
                new ImageRecord("a1", "p/a", ImageRecord.PROTECTED, null, null, verdict("a", 3, 3, 3, 5, 3)),
                // wrong before and after the attack, protected right but fooled
                new ImageRecord("b2", "p/b", ImageRecord.PROTECTED, null, null, verdict("b", 1, 2, 2, 1, 7)),
                // unlabeled: not counted in accuracy
                new ImageRecord("c3", "p/c", ImageRecord.PROTECTED, null, null, verdict("c", 4, 4, -1, 4, 4)),
                new ImageRecord("d4", "p/d", ImageRecord.FAILED, "CORRUPT", "bad", null),
                new ImageRecord("e5", "p/e", ImageRecord.FAILED, "CORRUPT", "bad", null),
                new ImageRecord("f6", "p/f", ImageRecord.FAILED, "TOO_MANY_PIXELS", "big", null));
        SparkSession spark = SparkProtectJob.session("local[1]");
        try {
            Dataset<Row> table = spark.createDataFrame(records.stream().map(VerdictTable::toRow).toList(),
                    VerdictTable.SCHEMA);
            JobSummary s = SparkProtectJob.summarise(table, 7, 1, 2.0, 3.0, true);
            assertThat(s.images()).isEqualTo(6);
            assertThat(s.protectedImages()).isEqualTo(3);
            assertThat(s.failed()).isEqualTo(3);
            assertThat(s.failedByReason()).containsExactly(java.util.Map.entry("CORRUPT", 2L),
                    java.util.Map.entry("TOO_MANY_PIXELS", 1L));
            assertThat(s.labeled()).isEqualTo(2);
            assertThat(s.processed()).isEqualTo(6);
            assertThat(s.imagesPerSecond()).isEqualTo(3.0);
            assertThat(s.accuracy()).containsEntry("clean_original", 0.5).containsEntry("attacked_original", 0.0)
                    .containsEntry("clean_protected", 1.0).containsEntry("attacked_protected", 0.5);
        } finally {
            spark.stop();
        }
    }
}

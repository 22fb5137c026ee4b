package ai.preempt.spark;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.data.ImageIo;
import ai.preempt.model.ModelCard;
import ai.preempt.protect.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The job on local[2] over 50 CIFAR-10 test images in a class-per-folder tree plus three bad inputs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkProtectJobTest {

    private static final int N = 50;

    private List<Path> images;
    private OutputLayout out;
    private JobSummary summary;
    private SparkJobConfig cfg;

    @BeforeAll
    void runJob(@TempDir Path tmp) throws IOException {
        Path in = tmp.resolve("in");
        images = Datasets.cifarTree(in, N);
        Datasets.badInputs(in, images.get(0));
        out = new OutputLayout(tmp.resolve("out").toString());
        cfg = SparkJobConfig.builder().setInput(in.toString()).setOutput(out.root()).setRobustify(Datasets.CHEAP)
                .optModelsDir(ai.preempt.model.Models.modelsDir().toString()).optPartitions(6).optCheck(false).build();
        summary = SparkProtectJob.run("local[2]", cfg);
    }

    @Test
    void countsEveryInputOnceAndLabelsFromFolders() {
        assertThat(summary.inputFiles()).isEqualTo(N + 3);
        assertThat(summary.images()).isEqualTo(N + 3);
        assertThat(summary.protectedImages()).isEqualTo(N);
        assertThat(summary.failed()).isEqualTo(3);
        assertThat(summary.processed()).isEqualTo(N + 3);
        assertThat(summary.labeled()).isEqualTo(N);
        assertThat(out.pngs().count()).isEqualTo(N);
        assertThat(out.records().count()).isEqualTo(N + 3);
    }

    @Test
    void everyProtectedPngAndVerdictEqualsTheSingleMachinePath() throws IOException {
        for (Path f : images) {
            ImageRecord r = Datasets.recordOf(out, f);
            int label = ModelCard.CIFAR_CLASSES.indexOf(f.getParent().getFileName().toString());
            Protection.Result expected = Datasets.singleMachine(f, label);
            assertThat(Files.readAllBytes(out.png(r.hash()))).as(f.toString()).isEqualTo(expected.png());
            assertThat(Datasets.verdict(r)).as(f.toString()).isEqualTo(expected.verdict());
            assertThat(r.verdict().trueLabel()).isEqualTo(label);
            assertThat(r.verdict().linfDistance()).isLessThanOrEqualTo(Datasets.CHEAP.delta() + 1e-6);
        }
    }

    @Test
    void badInputsAreFailedRowsWithTheirReason() {
        assertThat(summary.failedByReason()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "CORRUPT", 2L, "TOO_MANY_PIXELS", 1L));
        Map<String, String> reasonByFile = new HashMap<>();
        for (Row r : Datasets.table(out).stream().filter(r -> "failed".equals(r.getAs("status"))).toList()) {
            reasonByFile.put(ProtectPartition.baseName(r.getAs("path")), r.getAs("reason"));
            assertThat((String) r.getAs("message")).isNotBlank();
            assertThat((Object) r.getAs("robust_loss")).isNull();
        }
        assertThat(reasonByFile).containsExactlyInAnyOrderEntriesOf(Map.of(
                "truncated", "CORRUPT", "notes", "CORRUPT", "huge", "TOO_MANY_PIXELS"));
    }

    @Test
    void tableHasOneRowPerImageInParquetAndJsonLinesAndTheSummaryAgreesWithIt() throws IOException {
        List<Row> rows = Datasets.table(out);
        assertThat(rows).hasSize(N + 3);
        assertThat(rows.stream().map(r -> (String) r.getAs("hash")).distinct()).hasSize(N + 3);
        List<String> lines = new ArrayList<>();
        try (var parts = Files.newDirectoryStream(out.jsonLines(), "part-*.json")) {
            for (Path p : parts) {
                lines.addAll(Files.readAllLines(p));
            }
        }
        assertThat(lines).hasSize(N + 3);
        long labeled = 0;
        long cleanProtected = 0;
        for (Row r : rows) {
            if ("protected".equals(r.getAs("status"))) {
                labeled++;
                Verdict v = Datasets.verdict(ImageRecord.read(out.record(r.getAs("hash"))));
                assertThat((Double) r.getAs("robust_loss")).isEqualTo(v.robustLoss());
                assertThat((Long) r.getAs("label_after")).isEqualTo(v.labelAfter());
                cleanProtected += v.labelAfter() == v.trueLabel() ? 1 : 0;
            }
        }
        assertThat(summary.accuracy().get("clean_protected")).isEqualTo(cleanProtected / (double) labeled);
        assertThat(summary.accuracy()).as("no attacked accuracy without the check")
                .containsOnlyKeys("clean_original", "clean_protected");
    }

    @Test
    void parquetRowsOfTheSameBytesAreTheSameImages(@TempDir Path tmp) throws IOException {
        Path parquet = tmp.resolve("rows.parquet");
        org.apache.spark.sql.SparkSession spark = SparkProtectJob.session("local[1]");
        try {
            spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(cfg.input())
                    .select("path", "content").write().parquet(parquet.toString());
        } finally {
            spark.stop();
        }
        JobSummary fromParquet = SparkProtectJob.run("local[2]", cfg.toBuilder().setInput(parquet.toString())
                .optFormat(SparkJobConfig.Format.PARQUET).build());
        assertThat(fromParquet.inputFiles()).isEqualTo(N + 3);
        assertThat(fromParquet.reused()).as("every row's bytes hash to an image the folder run completed")
                .isEqualTo(N + 3);
        assertThat(fromParquet.failedByReason()).isEqualTo(summary.failedByReason());
    }

    @Test
    void aReRunSkipsEverythingAndRewritesNothing() throws IOException {
        Map<Path, FileTime> before = new HashMap<>();
        for (Path p : (Iterable<Path>) out.pngs()::iterator) {
            before.put(p, Files.getLastModifiedTime(p));
        }
        JobSummary again = SparkProtectJob.run("local[2]", cfg);
        assertThat(again.processed()).isZero();
        assertThat(again.reused()).isEqualTo(N + 3);
        assertThat(again.images()).isEqualTo(N + 3);
        for (Path p : before.keySet()) {
            assertThat(Files.getLastModifiedTime(p)).isEqualTo(before.get(p));
            assertThat(ImageIo.read(p).height()).isEqualTo(32);
        }
    }
}

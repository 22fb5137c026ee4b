package ai.preempt.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.preempt.data.ImageIo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tasks that fail on purpose half-way through a partition (after an image's PNG is committed, before its verdict):
 * the re-run, or Spark's own task retry, ends with 0 lost, 0 duplicated and 0 truncated outputs and one verdict row
 * per image. The data set holds one image twice (same bytes, two paths): it is one image.
 */
class SparkFaultTest {

    private static final int N = 8;

    @Test
    void aFailedJobReRunLosesDuplicatesAndTruncatesNothing(@TempDir Path tmp) throws IOException {
        List<Path> files = dataset(tmp);
        SparkJobConfig.Builder b = config(tmp);
        assertThatThrownBy(() -> SparkProtectJob.run("local[2]", b.optFailOnImage(2).build()))
                .hasStackTraceContaining("injected failure at image 2");
        OutputLayout out = new OutputLayout(tmp.resolve("out").toString());
        long committedBefore = out.records().count();
        assertThat(committedBefore).as("the failed run committed some images and not all").isBetween(1L, (long) N - 1);

        JobSummary s = SparkProtectJob.run("local[2]", b.optFailOnImage(0).build());
        assertThat(s.reused()).isGreaterThanOrEqualTo(committedBefore);
        assertComplete(out, files, s);
    }

    @Test
    void sparkRetriesTheFailedTasksAndTheJobCompletesInOneRun(@TempDir Path tmp) throws IOException {
        List<Path> files = dataset(tmp);
        // local[2,3]: two cores, up to three attempts per task; every task's first attempt fails at its 2nd image
        JobSummary s = SparkProtectJob.run("local[2,3]", config(tmp).optFailOnImage(2).build());
        assertComplete(new OutputLayout(tmp.resolve("out").toString()), files, s);
    }

    private static List<Path> dataset(Path tmp) throws IOException {
        List<Path> files = Datasets.cifarTree(tmp.resolve("in"), N);
        Path copy = tmp.resolve("in").resolve("copies").resolve("again.png");
        Files.createDirectories(copy.getParent());
        Files.copy(files.get(0), copy);
        return files;
    }

    private static SparkJobConfig.Builder config(Path tmp) {
        return SparkJobConfig.builder().setInput(tmp.resolve("in").toString()).setOutput(tmp.resolve("out").toString())
                .setRobustify(Datasets.CHEAP).optCheck(false).optPartitions(3)
                .optModelsDir(ai.preempt.model.Models.modelsDir().toString());
    }

    /** 0 lost, 0 duplicated, 0 truncated, one row per image, and each PNG equals the single-machine bytes. */
    private static void assertComplete(OutputLayout out, List<Path> files, JobSummary s) throws IOException {
        assertThat(s.inputFiles()).isEqualTo(N + 1);
        assertThat(s.images()).isEqualTo(N);
        assertThat(s.protectedImages()).isEqualTo(N);
        Set<String> hashes = new HashSet<>();
        for (Path f : files) {
            ImageRecord r = Datasets.recordOf(out, f);
            hashes.add(r.hash());
            int label = ai.preempt.model.ModelCard.CIFAR_CLASSES.indexOf(f.getParent().getFileName().toString());
            byte[] png = Files.readAllBytes(out.png(r.hash()));
            assertThat(png).as("%s is complete and equal to the single-machine result", f)
                    .isEqualTo(Datasets.singleMachine(f, label).png());
            assertThat(ImageIo.read(out.png(r.hash())).width()).isEqualTo(32);
        }
        assertThat(hashes).hasSize(N);
        assertThat(out.pngs().map(p -> p.getFileName().toString().replace(".png", ""))).containsExactlyInAnyOrderElementsOf(hashes);
        assertThat(out.records().map(p -> p.getFileName().toString().replace(".json", ""))).containsExactlyInAnyOrderElementsOf(hashes);
        assertThat(Datasets.temporaries(out.dir())).isEmpty();
        List<Row> rows = Datasets.table(out);
        assertThat(rows).hasSize(N);
        assertThat(rows.stream().map(r -> (String) r.getAs("hash")).distinct()).containsExactlyInAnyOrderElementsOf(hashes);
    }
}

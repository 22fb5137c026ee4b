package ai.preempt.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tasks open the input files with the job's Hadoop settings (the session's {@code spark.hadoop.*} options, e.g. an
 * object store's credentials on a cluster), not with Hadoop's defaults.
 */
class HadoopSettingsTest {

    /** The local file system, counting the files it opens. */
    public static final class CountingFileSystem extends LocalFileSystem {

        static final AtomicInteger OPENED = new AtomicInteger();

        @Override
        public FSDataInputStream open(org.apache.hadoop.fs.Path f, int bufferSize) throws IOException {
            OPENED.incrementAndGet();
            return super.open(f, bufferSize);
        }
    }

    @Test
    void tasksReadInputsThroughTheFileSystemTheSessionConfigures(@TempDir Path tmp) throws IOException {
        Path in = Files.createDirectories(tmp.resolve("in"));
        int n = 3;
        for (int i = 0; i < n; i++) {
            Files.writeString(in.resolve("note" + i + ".txt"), "not an image " + i);
        }
        SparkJobConfig cfg = SparkJobConfig.builder().setInput(in.toString()).setOutput(tmp.resolve("out").toString())
                .setRobustify(Datasets.CHEAP).optModelsDir(ai.preempt.model.Models.modelsDir().toString())
                .optCheck(false).build();
        SparkSession spark = SparkSession.builder().master("local[1]").appName("hadoop-settings")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.hadoop.fs.file.impl", CountingFileSystem.class.getName())
                .config("spark.hadoop.fs.file.impl.disable.cache", "true").getOrCreate();
        try {
            CountingFileSystem.OPENED.set(0);
            SparkProtectJob.Protected p = SparkProtectJob.protect(spark, cfg);
            assertThat(p.inputFiles()).isEqualTo(n);
            // listing the folder opens no file; each task reads each of its inputs once
            assertThat(CountingFileSystem.OPENED.get()).isEqualTo(n);
            p.done().unpersist();
        } finally {
            spark.stop();
        }
    }
}

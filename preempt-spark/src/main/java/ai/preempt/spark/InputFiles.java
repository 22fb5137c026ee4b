package ai.preempt.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Reads the input as rows (path, length, content). For a folder tree only the listing travels through Spark
 * (content is null; each task reads its own files through Hadoop's file system, so image bytes are never shuffled
 * and an oversized file is rejected from its length without being read); Parquet rows carry their bytes.
 */
final class InputFiles {

    private InputFiles() {}

    /** @return rows (path string, length long, content binary or null) */
    static Dataset<Row> read(SparkSession spark, SparkJobConfig cfg) {
        return switch (cfg.format()) {
            case FILES -> spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(cfg.input())
                    .select(functions.col("path"), functions.col("length"),
                            functions.lit(null).cast(DataTypes.BinaryType).as("content"));
            case PARQUET -> spark.read().parquet(cfg.input())
                    .select(functions.col("path"), functions.length(functions.col("content")).cast(DataTypes.LongType)
                            .as("length"), functions.col("content"));
        };
    }

    /**
     * The driver's Hadoop settings (with the job's {@code spark.hadoop.*} options), sent once to each executor.
     * Tasks open files with it rather than with a {@code new Configuration()} per file, which both ignored those
     * options and re-parsed Hadoop's default XML resources each time (~20 ms per image, more than protecting a
     * small one).
     */
    static Broadcast<SerializableConfiguration> broadcastHadoopConf(SparkSession spark) {
        return JavaSparkContext.fromSparkContext(spark.sparkContext())
                .broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
    }

    /** @return the whole file at a Hadoop path */
    static byte[] read(String path, Configuration conf) {
        try (InputStream in = open(path, conf)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + path + ": " + e.getMessage(), e);
        }
    }

    /** @return the SHA-256 of the file at a Hadoop path, streamed (for files too large to hold) */
    static String sha256(String path, Configuration conf) {
        MessageDigest d = sha256Digest();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = open(path, conf)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + path + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    private static InputStream open(String path, Configuration conf) throws IOException {
        Path p = new Path(path);
        return p.getFileSystem(conf).open(p);
    }
}

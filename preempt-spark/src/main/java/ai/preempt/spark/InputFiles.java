package ai.preempt.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Reads the input as rows (path, length, content). For a folder tree only the listing travels through Spark
 * (content is null; each task reads its own files through Hadoop's file system, so image bytes are never shuffled
 * and an oversized file is rejected from its length without being read); Parquet rows carry their bytes.
 */
final class InputFiles {

    /**
     * Hadoop's settings, read once per JVM: a {@code new Configuration()} parses Hadoop's default XML resources again
     * on first use, which cost ~20 ms per image when it was made per file (more than protecting a small image).
     */
    private static final class Conf {
        static final Configuration HADOOP = new Configuration();
    }

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

    /** @return the whole file at a Hadoop path */
    static byte[] read(String path) {
        try (InputStream in = open(path)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + path + ": " + e.getMessage(), e);
        }
    }

    /** @return the SHA-256 of the file at a Hadoop path, streamed (for files too large to hold) */
    static String sha256(String path) {
        MessageDigest d = sha256Digest();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = open(path)) {
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

    private static InputStream open(String path) throws IOException {
        Path p = new Path(path);
        return p.getFileSystem(Conf.HADOOP).open(p);
    }
}

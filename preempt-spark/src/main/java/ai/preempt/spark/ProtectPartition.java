package ai.preempt.spark;

import ai.preempt.data.DataException;
import ai.preempt.data.Image;
import ai.preempt.data.ImageIo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Stage 1 of the job, run once per partition: for each input row (path, length, content or null) that has no complete output yet,
 * decode, protect with the executor's shared model, commit the PNG, then commit the record. Emits one (hash, path,
 * reused) row per input. A row whose record already exists is skipped (reused = true), so a re-run, a retried task
 * or a speculative duplicate only redoes what is not complete, and rewriting produces the same bytes.
 */
final class ProtectPartition implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    /** Schema of the rows this stage emits. */
    static final StructType SCHEMA = new StructType()
            .add("hash", DataTypes.StringType, false)
            .add("path", DataTypes.StringType, false)
            .add("reused", DataTypes.BooleanType, false);

    private final SparkJobConfig cfg;
    private final OutputLayout out;
    private final Broadcast<SerializableConfiguration> hadoop;

    /**
     * @param cfg the job's configuration
     * @param hadoop the Hadoop settings to open input files with ({@link InputFiles#broadcastHadoopConf})
     */
    ProtectPartition(SparkJobConfig cfg, Broadcast<SerializableConfiguration> hadoop) {
        this.cfg = cfg;
        this.out = new OutputLayout(cfg.output());
        this.hadoop = hadoop;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        Protection protection = null;
        List<Row> emitted = new ArrayList<>();
        int fresh = 0;
        Configuration conf = hadoop.value().value();
        while (rows.hasNext()) {
            Row row = rows.next();
            String path = row.getString(0);
            long length = row.getLong(1);
            byte[] content = length > cfg.maxBytes() ? null : row.isNullAt(2) ? InputFiles.read(path, conf)
                    : (byte[]) row.get(2);
            String hash = content != null ? sha256(content) : InputFiles.sha256(path, conf);
            if (isComplete(hash)) {
                emitted.add(RowFactory.create(hash, path, true));
                continue;
            }
            if (protection == null) {
                protection = new Protection(ModelHolder.get(cfg), cfg.robustify(), cfg.check());
            }
            fresh++;
            ImageRecord record = content == null
                    ? new ImageRecord(hash, path, ImageRecord.FAILED, DataException.Reason.TOO_LARGE_BYTES.name(),
                            length + " bytes, more than the limit of " + cfg.maxBytes(), null)
                    : protectOne(protection, hash, path, content, fresh);
            record.write(out.record(hash));
            emitted.add(RowFactory.create(hash, path, false));
        }
        return emitted.iterator();
    }

    private ImageRecord protectOne(Protection protection, String hash, String path, byte[] content, int k) {
        Image img;
        try {
            img = ImageIo.decode(content, baseName(path), cfg.limits());
        } catch (DataException e) {
            return new ImageRecord(hash, path, ImageRecord.FAILED, e.reason().name(), e.getMessage(), null);
        }
        Protection.Result r = protection.protect(img, baseName(path), label(path, protection.classes()));
        write(out.png(hash), r.png());
        injectFailure(k);
        return new ImageRecord(hash, path, ImageRecord.PROTECTED, null, null, r.verdict());
    }

    /** The fault-test hook: fail the first attempt of a task at its k-th protected image, between the two commits. */
    private void injectFailure(int k) {
        TaskContext task = TaskContext.get();
        if (cfg.failOnImage() > 0 && k == cfg.failOnImage() && task != null && task.attemptNumber() == 0) {
            throw new IllegalStateException("injected failure at image " + k + " of partition " + task.partitionId()
                    + " (attempt 0), after its PNG and before its verdict");
        }
    }

    private boolean isComplete(String hash) {
        Path record = out.record(hash);
        return Files.isRegularFile(record) && (!ImageRecord.read(record).isProtected() || Files.isRegularFile(out.png(hash)));
    }

    private static void write(Path file, byte[] bytes) {
        try {
            ai.preempt.io.AtomicFiles.write(file, o -> o.write(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file + ": " + e.getMessage(), e);
        }
    }

    /** @return the file name without folders and extension */
    static String baseName(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** @return the index of the parent folder's name among the model's classes (a class-per-folder tree), or -1 */
    static int label(String path, List<String> classes) {
        String[] parts = path.split("/");
        if (parts.length < 2) {
            return -1;
        }
        String folder = parts[parts.length - 2].toLowerCase(Locale.ROOT);
        for (int i = 0; i < classes.size(); i++) {
            if (classes.get(i).toLowerCase(Locale.ROOT).equals(folder)) {
                return i;
            }
        }
        return -1;
    }

    /** @return the SHA-256 of {@code bytes}, lower-case hex */
    static String sha256(byte[] bytes) {
        MessageDigest d = InputFiles.sha256Digest();
        return HexFormat.of().formatHex(d.digest(bytes));
    }
}

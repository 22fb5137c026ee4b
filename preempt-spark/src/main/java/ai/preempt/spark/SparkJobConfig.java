package ai.preempt.spark;

import ai.preempt.data.ImageLimits;
import ai.preempt.model.ModelCard;
import ai.preempt.robustify.RobustifyConfig;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Everything the protect job needs, immutable and serialisable (Spark ships it to every task). Required:
 * {@code setInput}, {@code setOutput}, {@code setRobustify}; the rest is optional.
 */
public final class SparkJobConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    /** How the input is stored. */
    public enum Format {
        /** A folder tree of image files (read with Spark's {@code binaryFile} source, recursively). */
        FILES,
        /** Parquet rows with a string column {@code path} and a binary column {@code content}. */
        PARQUET
    }

    private final String input;
    private final Format format;
    private final String output;
    private final String model;
    private final String modelsDir;
    private final String robustifyJson;
    private final boolean check;
    private final int partitions;
    private final long maxBytes;
    private final long maxPixels;
    private final int failOnImage;
    private final int threads;

    private SparkJobConfig(Builder b) {
        this.input = Objects.requireNonNull(b.input, "setInput is required");
        this.output = Objects.requireNonNull(b.output, "setOutput is required");
        Objects.requireNonNull(b.robustify, "setRobustify is required");
        try {
            this.robustifyJson = ModelCard.JSON.writeValueAsString(b.robustify);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        this.format = b.format;
        this.model = b.model;
        this.modelsDir = b.modelsDir;
        this.check = b.check;
        this.partitions = b.partitions;
        this.maxBytes = b.maxBytes;
        this.maxPixels = b.maxPixels;
        this.failOnImage = b.failOnImage;
        this.threads = b.threads;
        if (threads < 0 || partitions < 0 || maxBytes < 1 || maxPixels < 1 || failOnImage < 0) {
            throw new IllegalArgumentException("partitions and the failure hook must not be negative, limits must be "
                    + "positive; got partitions " + partitions + ", max bytes " + maxBytes + ", max pixels " + maxPixels);
        }
    }

    /** @return the input folder, file glob or Parquet path (any Hadoop path: file:, hdfs:, s3a:, …) */
    public String input() {
        return input;
    }

    /** @return how the input is stored */
    public Format format() {
        return format;
    }

    /** @return the output folder; must be a file system every executor sees (a shared mount on a cluster) */
    public String output() {
        return output;
    }

    /** @return the model spec (bundled name, model directory or TorchScript file) */
    public String model() {
        return model;
    }

    /** @return the bundled models folder executors use to resolve a bare model name, or null */
    public String modelsDir() {
        return modelsDir;
    }

    /** @return Algorithm 1's settings */
    public RobustifyConfig robustify() {
        try {
            return ModelCard.JSON.readValue(robustifyJson, RobustifyConfig.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return whether each verdict includes the PGD-20 check on original and protected image */
    public boolean check() {
        return check;
    }

    /** @return Spark partitions to protect in, or 0 for four per core of the cluster */
    public int partitions() {
        return partitions;
    }

    /** @return the byte limit per input image */
    public long maxBytes() {
        return maxBytes;
    }

    /** @return the pixel limit per input image */
    public long maxPixels() {
        return maxPixels;
    }

    /** @return what the job accepts as an image (core's decoder checks these before decoding pixels) */
    public ImageLimits limits() {
        return ImageLimits.builder().optMaxBytes(maxBytes).optMaxPixels(maxPixels).build();
    }

    /**
     * @return for fault tests: the k-th image a task protects in its first attempt makes the task fail after the
     *     image's PNG is committed and before its verdict is (0 = never)
     */
    public int failOnImage() {
        return failOnImage;
    }

    /** @return PyTorch intra-op threads per executor JVM, or 0 for the engine's default (the cores not busy when it starts) */
    public int threads() {
        return threads;
    }

    /** @return a builder pre-filled with this configuration */
    public Builder toBuilder() {
        return builder().setInput(input).setOutput(output).setRobustify(robustify()).optFormat(format).optModel(model)
                .optModelsDir(modelsDir).optCheck(check).optPartitions(partitions).optMaxBytes(maxBytes)
                .optMaxPixels(maxPixels).optFailOnImage(failOnImage).optThreads(threads);
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder: required {@code set*}, optional {@code opt*}. */
    public static final class Builder {
        private String input;
        private Format format = Format.FILES;
        private String output;
        private String model = "adv-linf";
        private String modelsDir;
        private RobustifyConfig robustify;
        private boolean check = true;
        private int partitions;
        private long maxBytes = ImageLimits.DEFAULT_MAX_BYTES;
        private long maxPixels = ImageLimits.DEFAULT_MAX_PIXELS;
        private int failOnImage;
        private int threads;

        private Builder() {}

        public Builder setInput(String input) {
            this.input = input;
            return this;
        }

        public Builder setOutput(String output) {
            this.output = output;
            return this;
        }

        public Builder setRobustify(RobustifyConfig robustify) {
            this.robustify = robustify;
            return this;
        }

        public Builder optFormat(Format format) {
            this.format = format;
            return this;
        }

        public Builder optModel(String model) {
            this.model = model;
            return this;
        }

        public Builder optModelsDir(String modelsDir) {
            this.modelsDir = modelsDir;
            return this;
        }

        public Builder optCheck(boolean check) {
            this.check = check;
            return this;
        }

        public Builder optPartitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        public Builder optMaxBytes(long maxBytes) {
            this.maxBytes = maxBytes;
            return this;
        }

        public Builder optMaxPixels(long maxPixels) {
            this.maxPixels = maxPixels;
            return this;
        }

        public Builder optFailOnImage(int k) {
            this.failOnImage = k;
            return this;
        }

        public Builder optThreads(int threads) {
            this.threads = threads;
            return this;
        }

        public SparkJobConfig build() {
            return new SparkJobConfig(this);
        }
    }
}

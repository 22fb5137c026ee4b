package ai.preempt.data;

import java.util.EnumSet;
import java.util.Set;

/**
 * What {@link ImageIo} accepts from untrusted files and uploads: at most {@link #maxBytes()} bytes, at
 * most {@link #maxPixels()} pixels (width × height as the header declares them, checked before any
 * pixel is decoded) and only the {@link #formats()} listed. Immutable; build with {@link #builder()}.
 */
public final class ImageLimits {

    /** Default pixel limit: 40 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
    /** Default byte limit: 10 MiB. */
    public static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;
    /** PNG, JPEG and BMP, at most 40 MP and 10 MiB. */
    public static final ImageLimits DEFAULT = builder().build();

    private final long maxPixels;
    private final long maxBytes;
    private final Set<ImageFormat> formats;

    private ImageLimits(Builder b) {
        this.maxPixels = b.maxPixels;
        this.maxBytes = b.maxBytes;
        this.formats = Set.copyOf(b.formats);
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the largest accepted width × height */
    public long maxPixels() {
        return maxPixels;
    }

    /** @return the largest accepted file or upload size in bytes */
    public long maxBytes() {
        return maxBytes;
    }

    /** @return the accepted formats */
    public Set<ImageFormat> formats() {
        return formats;
    }

    /** @return a builder holding these limits */
    public Builder toBuilder() {
        return new Builder().optMaxPixels(maxPixels).optMaxBytes(maxBytes).optFormats(formats);
    }

    @Override
    public String toString() {
        return "ImageLimits[maxPixels=" + maxPixels + ", maxBytes=" + maxBytes + ", formats=" + formats + "]";
    }

    /** Builder of {@link ImageLimits}; every setting is optional. */
    public static final class Builder {
        private long maxPixels = DEFAULT_MAX_PIXELS;
        private long maxBytes = DEFAULT_MAX_BYTES;
        private Set<ImageFormat> formats = EnumSet.allOf(ImageFormat.class);

        private Builder() {}

        /** @param maxPixels the largest accepted width × height, at least 1 */
        public Builder optMaxPixels(long maxPixels) {
            if (maxPixels < 1) {
                throw new IllegalArgumentException("the pixel limit must be at least 1, got " + maxPixels);
            }
            this.maxPixels = maxPixels;
            return this;
        }

        /** @param maxBytes the largest accepted file or upload size in bytes, at least 1 */
        public Builder optMaxBytes(long maxBytes) {
            if (maxBytes < 1) {
                throw new IllegalArgumentException("the byte limit must be at least 1, got " + maxBytes);
            }
            this.maxBytes = maxBytes;
            return this;
        }

        /** @param formats the accepted formats, at least one */
        public Builder optFormats(Set<ImageFormat> formats) {
            if (formats == null || formats.isEmpty()) {
                throw new IllegalArgumentException("at least one image format must be allowed");
            }
            this.formats = EnumSet.copyOf(formats);
            return this;
        }

        /** @return the limits */
        public ImageLimits build() {
            return new ImageLimits(this);
        }
    }
}

package ai.preempt.cli;

import ai.preempt.data.ImageLimits;
import picocli.CommandLine.Option;

/** {@code --max-pixels} and {@code --max-bytes}: what image files a command accepts (see {@link ImageLimits}). */
final class ImageLimitOptions {

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "" + ImageLimits.DEFAULT_MAX_PIXELS,
            description = "Refuse an image whose header declares more than N pixels (width x height), before "
                    + "decoding it (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    @Option(names = "--max-bytes", paramLabel = "N", defaultValue = "" + ImageLimits.DEFAULT_MAX_BYTES,
            description = "Refuse an image file larger than N bytes (default: ${DEFAULT-VALUE}).")
    long maxBytes;

    ImageLimits limits() {
        if (maxPixels < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("--max-pixels and --max-bytes must be at least 1, got " + maxPixels
                    + " and " + maxBytes);
        }
        return ImageLimits.builder().optMaxPixels(maxPixels).optMaxBytes(maxBytes).build();
    }
}

package ai.preempt.data;

import java.util.Locale;
import java.util.Optional;

/** The image formats {@link ImageIo} decodes. */
public enum ImageFormat {
    PNG("png"),
    JPEG("jpeg"),
    BMP("bmp");

    private final String imageIoName;

    ImageFormat(String imageIoName) {
        this.imageIoName = imageIoName;
    }

    /**
     * @param name a format name as {@code javax.imageio} reports it ({@code "png"}, {@code "JPEG"}, ...)
     * @return the format, empty when it is none of ours
     */
    public static Optional<ImageFormat> ofImageIoName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (ImageFormat f : values()) {
            if (f.imageIoName.equals(n)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}

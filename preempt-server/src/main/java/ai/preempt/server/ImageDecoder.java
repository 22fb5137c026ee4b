package ai.preempt.server;

import ai.preempt.data.DataException;
import ai.preempt.data.Image;
import ai.preempt.data.ImageIo;
import ai.preempt.data.ImageLimits;

/**
 * The service's one door to image decoding ({@link ImageIo#decode}): bytes in, an image or a 4xx
 * {@link ApiException} out — too many bytes or pixels (the pixel count is read from the header before decoding)
 * → 413, a format other than PNG/JPEG/BMP → 415, empty, truncated or corrupt → 400.
 */
final class ImageDecoder {

    private final ImageLimits limits;

    ImageDecoder(ImageLimits limits) {
        this.limits = limits;
    }

    /** @return the decoded image, RGB in [0,1], EXIF orientation applied */
    Image decode(byte[] bytes) {
        try {
            return ImageIo.decode(bytes, "the upload", limits);
        } catch (DataException e) {
            throw new ApiException(switch (e.reason()) {
                case TOO_LARGE_BYTES, TOO_MANY_PIXELS -> 413;
                case UNSUPPORTED_FORMAT -> 415;
                default -> 400;
            }, e.getMessage());
        }
    }
}

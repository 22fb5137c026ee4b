package ai.preempt.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.PreemptEngine;
import java.util.Arrays;

/**
 * One image as float pixels in [0,1], channel-major (CHW). The array is not copied: treat it as
 * read-only once the image is built.
 *
 * @param channels C (3 for RGB, 1 for grey)
 * @param height H
 * @param width W
 * @param chw the C×H×W values, row-major within each channel
 */
public record Image(int channels, int height, int width, float[] chw) {

    public Image {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("image dimensions must be positive, got "
                    + channels + "×" + height + "×" + width);
        }
        if (chw == null || (long) channels * height * width != chw.length) {
            throw new IllegalArgumentException("pixel array length " + (chw == null ? "null" : chw.length)
                    + " does not match " + channels + "×" + height + "×" + width);
        }
    }

    /** @return the value of channel {@code c} at row {@code y}, column {@code x} */
    public float get(int c, int y, int x) {
        return chw[(c * height + y) * width + x];
    }

    /** @return a 1×C×H×W float32 array owned by {@code manager} */
    public NDArray toNDArray(NDManager manager) {
        return PreemptEngine.call(() -> manager.create(chw, new Shape(1, channels, height, width)));
    }

    /**
     * @param array a C×H×W or 1×C×H×W array of any numeric type (converted to float32; values are not
     *     clamped)
     * @return the image
     */
    public static Image fromNDArray(NDArray array) {
        return PreemptEngine.call(() -> {
            Shape s = array.getShape();
            if (s.dimension() == 4 && s.get(0) != 1 || s.dimension() != 3 && s.dimension() != 4) {
                throw new IllegalArgumentException("expected a C×H×W or 1×C×H×W array, got shape " + s);
            }
            int d = s.dimension() - 3;
            NDArray f = array.getDataType() == DataType.FLOAT32 ? array : array.toType(DataType.FLOAT32, false);
            return new Image((int) s.get(d), (int) s.get(d + 1), (int) s.get(d + 2), f.toFloatArray());
        });
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Image i && i.channels == channels && i.height == height && i.width == width
                && Arrays.equals(i.chw, chw);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * channels + height) + width) + Arrays.hashCode(chw);
    }

    @Override
    public String toString() {
        return "Image[" + channels + "×" + height + "×" + width + "]";
    }
}

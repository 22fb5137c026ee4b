package ai.preempt.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.index.NDIndex;
import ai.preempt.threat.Norm;

/**
 * The centred window of a fixed size, as torchvision's {@code CenterCrop}: top = round((H − h)/2),
 * left = round((W − w)/2) with Python's round-half-to-even. Unlike torchvision, a crop larger than its input is
 * an error (torchvision pads with zeros, which no server wants). Linear with one 1 per output row: gain 1 in
 * every norm.
 */
public final class CenterCrop implements Stage {

    private final Size size;

    CenterCrop(Size size) {
        this.size = size;
    }

    /** @return a centre crop to h×w */
    public static CenterCrop of(int h, int w) {
        return new CenterCrop(new Size(h, w));
    }

    private int[] crop() {
        return size.single() ? new int[] {size.height(), size.height()} : new int[] {size.height(), size.width()};
    }

    /** @return the crop's shorter side */
    int shorterSide() {
        int[] c = crop();
        return Math.min(c[0], c[1]);
    }

    @Override
    public int[] outputSize(int[] in) {
        int[] c = crop();
        if (c[0] > in[0] || c[1] > in[1]) {
            throw new IllegalArgumentException("crop=" + size + " is larger than its input of " + in[0] + "x" + in[1]
                    + "; crop at most the size the previous stage makes");
        }
        return c;
    }

    @Override
    public NDArray apply(NDArray x) {
        int h = (int) x.getShape().get(2);
        int w = (int) x.getShape().get(3);
        int[] c = outputSize(new int[] {h, w});
        int top = (int) Math.rint((h - c[0]) / 2.0);
        int left = (int) Math.rint((w - c[1]) / 2.0);
        return x.get(new NDIndex(":, :, {}:{}, {}:{}", top, top + c[0], left, left + c[1]));
    }

    /** Transposes {@link #apply}: the window back in place, zeros around it. */
    @Override
    public NDArray adjoint(NDArray g, int[] size) {
        int[] c = outputSize(size);
        if (c[0] == size[0] && c[1] == size[1]) {
            return g;
        }
        int top = (int) Math.rint((size[0] - c[0]) / 2.0);
        int left = (int) Math.rint((size[1] - c[1]) / 2.0);
        Shape s = g.getShape();
        NDArray out = g.getManager().zeros(new Shape(s.get(0), s.get(1), size[0], size[1]), g.getDataType());
        out.set(new NDIndex(":, :, {}:{}, {}:{}", top, top + c[0], left, left + c[1]), g);
        return out;
    }

    @Override
    public double gain(Norm norm, int[] in) {
        return 1;
    }

    @Override
    public String spec() {
        return "crop=" + size;
    }

    @Override
    public String toString() {
        return spec();
    }
}

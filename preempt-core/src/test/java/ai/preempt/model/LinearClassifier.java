package ai.preempt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.preempt.engine.Ops;
import java.util.List;

/** logits = W·flatten(x) + b: a classifier whose worst case under a budget is known in closed form. */
public final class LinearClassifier implements Classifier {
    private final NDArray w; // K×D
    private final NDArray b; // K
    private final Shape shape;
    private final float scale;

    public LinearClassifier(NDManager m, float[][] weights, float[] bias, Shape inputShape) {
        this(m.create(weights), m.create(bias), inputShape, 1f);
    }

    private LinearClassifier(NDArray w, NDArray b, Shape shape, float scale) {
        this.w = w;
        this.b = b;
        this.shape = shape;
        this.scale = scale;
    }

    /** @return the same classifier with logits multiplied by {@code s} */
    public LinearClassifier scaled(float s) {
        return new LinearClassifier(w, b, shape, scale * s);
    }

    public NDArray weights() {
        return w;
    }

    @Override
    public NDArray logits(NDArray images) {
        NDArray flat = images.reshape(images.getShape().get(0), -1);
        // a constant on the autograd path comes from PyTorch's memory (engine.Ops), never a borrowed Java buffer
        return Ops.mul(flat.matMul(w.transpose()).add(b), scale);
    }

    @Override
    public int numClasses() {
        return (int) w.getShape().get(0);
    }

    @Override
    public Shape inputShape() {
        return shape;
    }

    @Override
    public List<String> classes() {
        return List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j").subList(0, numClasses());
    }

    @Override
    public String name() {
        return "linear";
    }

    @Override
    public void close() {}
}

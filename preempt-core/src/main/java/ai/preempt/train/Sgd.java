package ai.preempt.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * SGD with momentum and L2 weight decay, exactly as PyTorch's {@code torch.optim.SGD} (no dampening,
 * no Nesterov): d = g + wd·w; b = μ·b + d (b = d on the first step); w ← w − lr·b. Its state (the momentum
 * buffers) can be saved and restored, so a resumed run continues bit for bit.
 */
final class Sgd {

    private final List<Parameter> params = new ArrayList<>();
    private final NDManager manager;
    private final double momentum;
    private final double weightDecay;
    private NDArray[] buffers;

    Sgd(PairList<String, Parameter> all, NDManager manager, double momentum, double weightDecay) {
        for (Pair<String, Parameter> p : all) {
            Parameter param = p.getValue();
            if (param.requiresGradient() && param.getType() != Parameter.Type.RUNNING_MEAN
                    && param.getType() != Parameter.Type.RUNNING_VAR) {
                params.add(param);
            }
        }
        this.manager = manager;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    /** Applies one update with the gradients the last backward pass left on the weights, then zeroes them. */
    void step(double lr) {
        boolean first = buffers == null;
        if (first) {
            buffers = new NDArray[params.size()];
        }
        for (int i = 0; i < params.size(); i++) {
            NDArray w = params.get(i).getArray();
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray g = w.getGradient();
                NDArray d = g.add(w.mul(weightDecay));
                if (first) {
                    buffers[i] = d.duplicate();
                    buffers[i].attach(manager);
                    NDScope.unregister(buffers[i]);
                } else {
                    buffers[i].muli(momentum).addi(d);
                }
                w.subi(buffers[i].mul(lr));
                JniUtils.zeroGrad((PtNDArray) w);
            }
        }
    }

    /** @return the momentum buffers (empty before the first step) */
    NDList state() {
        return buffers == null ? new NDList() : new NDList(buffers);
    }

    /** Restores momentum buffers saved by {@link #state()}. */
    void restore(NDList saved) {
        if (saved.isEmpty()) {
            buffers = null;
            return;
        }
        if (saved.size() != params.size()) {
            throw new IllegalArgumentException("checkpoint holds " + saved.size() + " momentum buffers, the model has "
                    + params.size() + " weights");
        }
        buffers = new NDArray[params.size()];
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = saved.get(i).duplicate();
            buffers[i].attach(manager);
        }
    }
}

package ai.preempt.model;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Locale;

/**
 * The native (DJL-built) CIFAR architectures. Each name maps to one builder; blocks take
 * normalised images and return logits.
 *
 * <ul>
 *   <li>{@code resnet20}: He et al.'s CIFAR ResNet-20 (3 stages of 3 basic blocks, widths 16/32/64, 0.27 M parameters).
 *   <li>{@code resnet20w4}: the same depth, 4× wider (widths 64/128/256, 4.3 M parameters).
 *   <li>{@code resnet8w2}: a small, fast variant for tests and quick experiments.
 *   <li>{@code preact18}: PreAct-ResNet-18 (He et al. 2016), 11 M parameters.
 *   <li>{@code wrn34-10}: WideResNet-34-10 as used by the paper, 46 M parameters.
 * </ul>
 */
public enum Architecture {
    RESNET8W2("resnet8w2"),
    RESNET20("resnet20"),
    RESNET20W2("resnet20w2"),
    RESNET20W4("resnet20w4"),
    PREACT18("preact18"),
    WRN34_10("wrn34-10");

    private final String id;

    Architecture(String id) {
        this.id = id;
    }

    /** @return the name used on the command line and in model cards */
    public String id() {
        return id;
    }

    /**
     * @param name an architecture name, case-insensitive
     * @return the architecture
     * @throws IllegalArgumentException naming the known architectures
     */
    public static Architecture of(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values())
                .filter(a -> a.id.equals(n))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown architecture '" + name
                        + "'; known: " + Arrays.toString(Arrays.stream(values()).map(Architecture::id).toArray())));
    }

    /**
     * @param numClasses output width
     * @return a fresh, uninitialised block
     */
    public Block build(int numClasses) {
        return switch (this) {
            case RESNET8W2 -> cifarResNet(1, 32, numClasses);
            case RESNET20 -> cifarResNet(3, 16, numClasses);
            case RESNET20W2 -> cifarResNet(3, 32, numClasses);
            case RESNET20W4 -> cifarResNet(3, 64, numClasses);
            case PREACT18 -> preActResNet(new int[] {2, 2, 2, 2}, new int[] {64, 128, 256, 512}, numClasses);
            case WRN34_10 -> preActResNet(new int[] {5, 5, 5}, new int[] {160, 320, 640}, numClasses);
        };
    }

    private static Block conv3(int filters, int stride) {
        return Conv2d.builder().setKernelShape(new Shape(3, 3)).optStride(new Shape(stride, stride))
                .optPadding(new Shape(1, 1)).setFilters(filters).optBias(false).build();
    }

    private static Block conv1(int filters, int stride) {
        return Conv2d.builder().setKernelShape(new Shape(1, 1)).optStride(new Shape(stride, stride))
                .setFilters(filters).optBias(false).build();
    }

    private static Block bn() {
        return BatchNorm.builder().optMomentum(0.9f).optEpsilon(1e-5f).build();
    }

    private static Block residual(Block main, Block shortcut) {
        return new ParallelBlock(list -> new NDList(list.get(0).singletonOrThrow().add(list.get(1).singletonOrThrow())),
                Arrays.asList(main, shortcut));
    }

    /** He et al. CIFAR ResNet-(6n+2) with basic blocks; projection shortcuts where the shape changes. */
    private static Block cifarResNet(int blocksPerStage, int width, int numClasses) {
        SequentialBlock net = new SequentialBlock().add(conv3(width, 1)).add(bn()).add(Activation.reluBlock());
        int in = width;
        for (int stage = 0; stage < 3; stage++) {
            int out = width << stage;
            for (int b = 0; b < blocksPerStage; b++) {
                int stride = (stage > 0 && b == 0) ? 2 : 1;
                Block main = new SequentialBlock().add(conv3(out, stride)).add(bn()).add(Activation.reluBlock())
                        .add(conv3(out, 1)).add(bn());
                Block shortcut = (stride != 1 || in != out)
                        ? new SequentialBlock().add(conv1(out, stride)).add(bn())
                        : Blocks.identityBlock();
                net.add(residual(main, shortcut)).add(Activation.reluBlock());
                in = out;
            }
        }
        return net.add(Pool.globalAvgPool2dBlock()).add(Linear.builder().setUnits(numClasses).build());
    }

    /** Pre-activation residual network (PreAct-ResNet and WideResNet share this block shape). */
    private static Block preActResNet(int[] blocks, int[] widths, int numClasses) {
        int stem = widths.length == 3 ? 16 : 64;
        SequentialBlock net = new SequentialBlock().add(conv3(stem, 1));
        int in = stem;
        for (int stage = 0; stage < blocks.length; stage++) {
            int out = widths[stage];
            for (int b = 0; b < blocks[stage]; b++) {
                int stride = (stage > 0 && b == 0) ? 2 : 1;
                Block inner = new SequentialBlock().add(conv3(out, stride)).add(bn()).add(Activation.reluBlock())
                        .add(conv3(out, 1));
                if (stride != 1 || in != out) {
                    // the shortcut sees the pre-activated input, as in both reference implementations
                    net.add(new SequentialBlock().add(bn()).add(Activation.reluBlock())
                            .add(residual(inner, conv1(out, stride))));
                } else {
                    net.add(residual(new SequentialBlock().add(bn()).add(Activation.reluBlock()).add(inner),
                            Blocks.identityBlock()));
                }
                in = out;
            }
        }
        return net.add(bn()).add(Activation.reluBlock()).add(Pool.globalAvgPool2dBlock())
                .add(Linear.builder().setUnits(numClasses).build());
    }
}

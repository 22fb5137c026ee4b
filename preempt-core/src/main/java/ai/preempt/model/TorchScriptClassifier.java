package ai.preempt.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.preempt.engine.PreemptEngine;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JacksonException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A classifier loaded from a TorchScript file ({@code torch.jit.script}/{@code torch.jit.trace}, then
 * {@code torch.jit.save}).
 *
 * <p>An optional side-car {@code MODEL.json} beside {@code MODEL.pt} gives {@code mean}, {@code std},
 * {@code input_shape} and {@code classes}; with mean and std the adapter normalises the [0,1] input
 * itself, without them the module is assumed to normalise internally. Missing fields default to CIFAR-10
 * (3×32×32, ten CIFAR class names). The module runs in eval mode with its parameters frozen (no
 * requires-grad), so input gradients never compute or accumulate weight gradients.
 */
public final class TorchScriptClassifier implements Classifier {

    /** Side-car file contents; every field optional. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record SideCar(List<Float> mean, List<Float> std, List<Integer> inputShape, List<String> classes) {}

    private final String name;
    private final PtNDManager manager;
    private final PtSymbolBlock block;
    private final NDArray mean;
    private final NDArray std;
    private final Shape inputShape;
    private final List<String> classes;

    private TorchScriptClassifier(String name, PtNDManager manager, PtSymbolBlock block, NDArray mean, NDArray std,
            Shape inputShape, List<String> classes) {
        this.name = name;
        this.manager = manager;
        this.block = block;
        this.mean = mean;
        this.std = std;
        this.inputShape = inputShape;
        this.classes = List.copyOf(classes);
    }

    /** @return the side-car path for a model file: same directory and base name, extension {@code .json} */
    public static Path sideCarOf(Path model) {
        String file = model.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return model.resolveSibling((dot > 0 ? file.substring(0, dot) : file) + ".json");
    }

    /**
     * Loads a TorchScript model and its optional side-car, and checks it with one forward pass on a zero
     * batch.
     *
     * @throws ModelException when the file is missing, empty, not TorchScript, the side-car is invalid,
     *     or the output does not have one score per class
     */
    public static TorchScriptClassifier load(Path file) {
        String fileName = file.getFileName().toString();
        checkTorchScriptFile(file);
        SideCar side = readSideCar(sideCarOf(file));
        List<Integer> shape = side.inputShape() == null ? List.of(3, 32, 32) : side.inputShape();
        List<String> classes = side.classes() == null ? ModelCard.CIFAR_CLASSES : side.classes();
        Path sideFile = sideCarOf(file);
        if (shape.size() != 3 || shape.stream().anyMatch(d -> d == null || d < 1)) {
            throw new ModelException("side-car " + sideFile + " has input_shape " + shape
                    + " but it must be three positive sizes C, H, W");
        }
        if ((side.mean() == null) != (side.std() == null)) {
            throw new ModelException("side-car " + sideFile + " must give both mean and std, or neither");
        }
        if (side.mean() != null && (side.mean().size() != shape.get(0) || side.std().size() != shape.get(0))) {
            throw new ModelException("side-car " + sideFile + " needs " + shape.get(0)
                    + " mean and std values (one per channel), got " + side.mean().size() + " and "
                    + side.std().size());
        }
        if (side.std() != null && side.std().stream().anyMatch(s -> s == null || !(s > 0))) {
            throw new ModelException("side-car " + sideFile + " has a std that is not positive: " + side.std());
        }
        if (classes.isEmpty()) {
            throw new ModelException("side-car " + sideFile + " has an empty classes list");
        }
        return PreemptEngine.call(() -> {
            PtNDManager m = (PtNDManager) Engine.getEngine("PyTorch").newBaseManager();
            try {
                PtSymbolBlock block;
                try {
                    // trainParam=true: otherwise DJL loads under InferenceMode and the weights become
                    // inference tensors that autograd refuses to save for backward (no input gradients)
                    block = JniUtils.loadModule(m, file.toAbsolutePath(), true, new String[0], new String[0], true);
                } catch (RuntimeException e) {
                    throw new ModelException("cannot load " + file + " as TorchScript: " + firstLine(e), e);
                }
                JniUtils.setGraphExecutorOptimize(Boolean.getBoolean("ai.djl.pytorch.graph_optimizer"));
                JniUtils.enableInferenceMode(block);
                freezeParameters(block, m);
                NDArray mean = null;
                NDArray std = null;
                if (side.mean() != null) {
                    mean = m.create(toArray(side.mean()), new Shape(1, shape.get(0), 1, 1));
                    std = m.create(toArray(side.std()), new Shape(1, shape.get(0), 1, 1));
                }
                Shape in = new Shape(shape.get(0), shape.get(1), shape.get(2));
                TorchScriptClassifier c = new TorchScriptClassifier(fileName, m, block, mean, std, in, classes);
                c.probe(side.classes() == null ? " (the CIFAR-10 default; list the classes in a side-car "
                        + sideFile.getFileName() + ")" : " in " + sideFile.getFileName());
                return c;
            } catch (RuntimeException | Error e) {
                m.close();
                throw e;
            }
        });
    }

    /** Rejects missing, empty and non-TorchScript files before the engine sees them. */
    private static void checkTorchScriptFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelException("model file " + file + " does not exist or is not a regular file");
        }
        byte[] head = new byte[4];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, 4);
        } catch (IOException e) {
            throw new ModelException("cannot read model file " + file + ": " + e.getMessage(), e);
        }
        if (n == 0) {
            throw new ModelException("model file " + file + " is empty (0 bytes)");
        }
        if (n < 4 || head[0] != 'P' || head[1] != 'K' || head[2] != 3 || head[3] != 4) {
            throw new ModelException(file + " is not a TorchScript file (torch.jit.save writes a zip archive);"
                    + " export the model with torch.jit.script or torch.jit.trace and save it with torch.jit.save");
        }
        boolean hasConstants = false;
        boolean hasCode = false;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements();) {
                String entry = e.nextElement().getName();
                hasConstants |= entry.endsWith("constants.pkl");
                hasCode |= entry.contains("/code/");
            }
        } catch (IOException e) {
            throw new ModelException(file + " is not a readable TorchScript archive: " + e.getMessage(), e);
        }
        if (!hasConstants || !hasCode) {
            throw new ModelException(file + " is a PyTorch archive without TorchScript code (saved with torch.save?);"
                    + " export the model with torch.jit.script or torch.jit.trace and save it with torch.jit.save");
        }
    }

    private static SideCar readSideCar(Path sideFile) {
        if (!Files.exists(sideFile)) {
            return new SideCar(null, null, null, null);
        }
        try {
            SideCar s = ModelCard.JSON.readValue(sideFile.toFile(), SideCar.class);
            return s == null ? new SideCar(null, null, null, null) : s;
        } catch (JacksonException e) {
            throw new ModelException("side-car " + sideFile + " is not valid JSON with mean, std, input_shape and"
                    + " classes: " + firstLine(e), e);
        } catch (IOException e) {
            throw new ModelException("cannot read side-car " + sideFile + ": " + e.getMessage(), e);
        }
    }

    /** Switches off requires-grad on every module parameter (they share storage with the module). */
    private static void freezeParameters(PtSymbolBlock block, PtNDManager m) {
        try (NDManager sub = m.newSubManager()) {
            NDList params = JniUtils.moduleGetParams(block, m);
            params.attach(sub);
            for (NDArray p : params) {
                p.setRequiresGradient(false);
            }
        }
    }

    /** One forward pass on a zero batch: the output must be 1×numClasses. */
    private void probe(String classesSource) {
        try (NDManager sub = manager.newSubManager()) {
            NDArray zeros = sub.zeros(new Shape(1, inputShape.get(0), inputShape.get(1), inputShape.get(2)));
            NDList out;
            try {
                out = IValueUtils.forward(block, new NDList(zeros), false);
            } catch (RuntimeException e) {
                throw new ModelException("model " + name + " fails on a 1×" + inputShape.get(0) + "×"
                        + inputShape.get(1) + "×" + inputShape.get(2) + " input: " + firstLine(e), e);
            }
            out.attach(sub);
            if (out.size() != 1) {
                throw new ModelException("model " + name + " returns " + out.size()
                        + " outputs but must return one tensor of logits");
            }
            Shape s = out.get(0).getShape();
            if (s.dimension() != 2 || s.get(0) != 1) {
                throw new ModelException("model " + name + " returns shape " + s + " for one image but must return"
                        + " N×classes logits");
            }
            if (s.get(1) != classes.size()) {
                throw new ModelException("model " + name + " outputs " + s.get(1)
                        + " scores per image but its classes list has " + classes.size() + " entries"
                        + classesSource);
            }
        }
    }

    private static String firstLine(Throwable e) {
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        int nl = msg.indexOf('\n');
        if (nl >= 0) {
            msg = msg.substring(0, nl).strip();
        }
        return msg.length() > 200 ? msg.substring(0, 200) + "…" : msg;
    }

    private static float[] toArray(List<Float> v) {
        float[] a = new float[v.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = v.get(i);
        }
        return a;
    }

    /**
     * Eval-mode forward pass; recorded for autograd when called inside {@link ai.preempt.engine.Gradients#of}.
     */
    @Override
    public NDArray logits(NDArray images) {
        return PreemptEngine.call(() -> {
            if (mean == null) {
                return IValueUtils.forward(block, new NDList(images), true).singletonOrThrow();
            }
            try (NDArray centred = images.sub(mean); NDArray x = centred.div(std)) {
                return IValueUtils.forward(block, new NDList(x), true).singletonOrThrow();
            }
        });
    }

    /** @return true when any module parameter requires a gradient (false after loading) */
    boolean parametersRequireGradient() {
        return PreemptEngine.call(() -> {
            try (NDManager sub = manager.newSubManager()) {
                NDList params = JniUtils.moduleGetParams(block, manager);
                params.attach(sub);
                return params.stream().anyMatch(p -> JniUtils.requiresGrad((PtNDArray) p));
            }
        });
    }

    /** @return true when inputs are normalised by this adapter (side-car mean/std), false when by the module */
    public boolean normalisesInput() {
        return mean != null;
    }

    @Override
    public int numClasses() {
        return classes.size();
    }

    @Override
    public Shape inputShape() {
        return inputShape;
    }

    @Override
    public List<String> classes() {
        return classes;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() {
        PreemptEngine.run(() -> {
            block.close();
            manager.close();
        });
    }
}

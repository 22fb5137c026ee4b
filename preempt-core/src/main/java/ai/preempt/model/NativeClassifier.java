package ai.preempt.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;
import ai.preempt.engine.PreemptEngine;
import ai.preempt.io.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A classifier built in code from an {@link Architecture}, stored as DJL parameters
 * ({@value #PARAMS_FILE}) plus a JSON {@link ModelCard} ({@value #CARD_FILE}) in one directory.
 * Normalisation (the card's mean and std) is applied inside {@link #logits}.
 */
public final class NativeClassifier implements Classifier {

    /** File name of the parameters inside a model directory. */
    public static final String PARAMS_FILE = "model.params";
    /** File name of the card inside a model directory. */
    public static final String CARD_FILE = "card.json";

    private final NDManager manager;
    private final Block block;
    private final ModelCard card;
    private final NDArray mean;
    private final NDArray std;
    private final ParameterStore store;
    private final Shape inputShape;

    private NativeClassifier(NDManager manager, Block block, ModelCard card) {
        this.manager = manager;
        this.block = block;
        this.card = card;
        List<Integer> s = card.inputShape();
        this.inputShape = new Shape(s.get(0), s.get(1), s.get(2));
        // created in their final shape: a reshape would be a view of memory that a Java buffer owns
        // (DJL's PyTorch engine wraps Java buffers without copying), see engine.Tensors
        this.mean = manager.create(toArray(card.mean()), new Shape(1, s.get(0), 1, 1));
        this.std = manager.create(toArray(card.std()), new Shape(1, s.get(0), 1, 1));
        this.store = new ParameterStore(manager, false);
    }

    private static float[] toArray(List<Float> v) {
        float[] a = new float[v.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = v.get(i);
        }
        return a;
    }

    /**
     * Creates a freshly initialised model (Kaiming-normal weights) for training.
     *
     * @param card describes the architecture, normalisation and classes
     * @param seed seeds the initial weights
     */
    public static NativeClassifier create(ModelCard card, long seed) {
        return PreemptEngine.call(() -> {
            Architecture arch = Architecture.of(card.architecture());
            NDManager m = NDManager.newBaseManager("PyTorch");
            Block b = arch.build(card.classes().size());
            b.setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
                    XavierInitializer.FactorType.IN, 2f), Parameter.Type.WEIGHT);
            PreemptEngine.seedTorch(seed);
            List<Integer> s = card.inputShape();
            b.initialize(m, DataType.FLOAT32, new Shape(1, s.get(0), s.get(1), s.get(2)));
            long count = b.getParameters().stream().filter(p -> p.getValue().requiresGradient())
                    .mapToLong(p -> p.getValue().getArray().size()).sum();
            ModelCard withCount = new ModelCard(card.name(), card.architecture(), count, card.mean(), card.std(),
                    card.inputShape(), card.classes(), card.description(), card.training(), card.metrics(),
                    card.command(), card.notes());
            NativeClassifier c = new NativeClassifier(m, b, withCount);
            c.setTrainable(false);
            return c;
        });
    }

    /**
     * Loads a model directory holding {@value #CARD_FILE} and {@value #PARAMS_FILE}.
     *
     * @throws ModelException when a file is missing or unreadable
     */
    public static NativeClassifier load(Path dir) {
        Path cardFile = dir.resolve(CARD_FILE);
        Path params = dir.resolve(PARAMS_FILE);
        if (!Files.isRegularFile(cardFile) || !Files.isRegularFile(params)) {
            throw new ModelException("model directory " + dir + " needs both " + CARD_FILE + " and " + PARAMS_FILE);
        }
        ModelCard card;
        try {
            card = ModelCard.read(cardFile);
        } catch (IOException e) {
            throw new ModelException("cannot read model card " + cardFile + ": " + e.getMessage(), e);
        }
        NativeClassifier c = create(card, 0);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(params))) {
            c.loadParameters(in);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            c.close();
            throw new ModelException("cannot read model parameters " + params + " (" + e.getMessage()
                    + "); is it a complete " + card.architecture() + " checkpoint?", e);
        }
        return c;
    }

    /** Replaces the parameters with those in {@code in} (the format {@link #saveParameters} writes). */
    public void loadParameters(InputStream in) throws IOException, MalformedModelException {
        PreemptEngine.call(() -> {
            block.loadParameters(manager, new DataInputStream(in));
            setTrainable(false);
            return null;
        });
    }

    /** Writes the parameters (DJL format) to {@code out}. */
    public void saveParameters(java.io.OutputStream out) throws IOException {
        PreemptEngine.call(() -> {
            DataOutputStream d = new DataOutputStream(out);
            block.saveParameters(d);
            d.flush();
            return null;
        });
    }

    /** Saves parameters and card into {@code dir}, each atomically. */
    public void save(Path dir, ModelCard newCard) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.write(dir.resolve(PARAMS_FILE), this::saveParameters);
        newCard.write(dir.resolve(CARD_FILE));
    }

    /**
     * Switches whether parameters require gradients: on for training, off for attacks and robustification
     * (input gradients then skip the weight gradients, and nothing accumulates on the weights).
     */
    public void setTrainable(boolean trainable) {
        PreemptEngine.run(() -> {
            for (Pair<String, Parameter> p : block.getParameters()) {
                Parameter param = p.getValue();
                if (param.getType() != Parameter.Type.RUNNING_MEAN && param.getType() != Parameter.Type.RUNNING_VAR
                        && param.isInitialized()) {
                    param.getArray().setRequiresGradient(trainable);
                }
            }
        });
    }

    /** Forward pass in evaluation mode (BatchNorm uses running statistics). */
    @Override
    public NDArray logits(NDArray images) {
        return forward(images, false);
    }

    /**
     * Forward pass.
     *
     * @param training true to use batch statistics and update BatchNorm's running averages
     */
    public NDArray forward(NDArray images, boolean training) {
        NDArray x = images.sub(mean).div(std);
        return block.forward(store, new NDList(x), training).singletonOrThrow();
    }

    /** @return the DJL block, for training */
    public Block block() {
        return block;
    }

    /** @return the card this model was created or loaded with */
    public ModelCard card() {
        return card;
    }

    @Override
    public int numClasses() {
        return card.classes().size();
    }

    @Override
    public Shape inputShape() {
        return inputShape;
    }

    @Override
    public List<String> classes() {
        return card.classes();
    }

    @Override
    public String name() {
        return card.name() == null ? card.architecture() : card.name();
    }

    @Override
    public void close() {
        PreemptEngine.run(manager::close);
    }
}

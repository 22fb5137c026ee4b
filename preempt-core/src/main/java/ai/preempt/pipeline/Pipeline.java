package ai.preempt.pipeline;

import ai.djl.ndarray.NDArray;
import ai.preempt.threat.Norm;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A server's preprocessing: an immutable, ordered list of {@link Stage}s applied to the uploaded photo before
 * the classifier sees it (normalisation stays inside the classifier). Written as a string of comma-separated
 * {@code key=value} stages, in order:
 * <ul>
 *   <li>{@code resize=N} or {@code resize=HxW}: bilinear with antialiasing (Pillow, torchvision
 *       {@code antialias=True}); N resizes the shorter side to N, keeping the aspect ratio</li>
 *   <li>{@code resize-plain=N|HxW}: bilinear without antialiasing (torchvision {@code antialias=False})</li>
 *   <li>{@code crop=N|HxW}: centre crop (torchvision's offsets)</li>
 *   <li>{@code jpeg=Q}: JPEG re-encode at quality Q in 1..100 (real codec forward, straight-through backward)</li>
 * </ul>
 * e.g. {@code resize=256,crop=224,jpeg=90}. The empty string and {@code none} are the identity.
 */
public final class Pipeline {

    private static final Pipeline IDENTITY = new Pipeline(List.of());
    private final List<Stage> stages;

    private Pipeline(List<Stage> stages) {
        this.stages = List.copyOf(stages);
    }

    /** @return the pipeline that passes photos through unchanged */
    public static Pipeline identity() {
        return IDENTITY;
    }

    /** @return a pipeline of the given stages, in order */
    public static Pipeline of(List<Stage> stages) {
        return new Pipeline(stages);
    }

    /**
     * Parses a pipeline string (see the class comment).
     *
     * @throws IllegalArgumentException naming what is wrong: an unknown key, a missing value, an unparsable size
     *     or quality, a quality outside 1..100, or a crop larger than the fixed size a resize before it makes
     */
    public static Pipeline parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no pipeline given");
        }
        String t = text.trim();
        if (t.isEmpty() || t.equalsIgnoreCase("none")) {
            return IDENTITY;
        }
        List<Stage> stages = new ArrayList<>();
        for (String part : t.split(",", -1)) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("pipeline stage \"" + part.trim() + "\" is not key=value (e.g. "
                        + "resize=256,crop=224,jpeg=90) in \"" + text + "\"");
            }
            stages.add(stage(part.substring(0, eq).trim().toLowerCase(Locale.ROOT), part.substring(eq + 1).trim()));
        }
        Pipeline p = new Pipeline(stages);
        p.checkFixedSizes();
        return p;
    }

    /**
     * Reads the {@code "preprocess"} object of a model card or TorchScript side-car, e.g.
     * {@code {"resize": 256, "crop": 224}}: its keys are the pipeline string's, in the object's order; values are
     * numbers or strings ({@code "224x224"}).
     *
     * @param preprocess the object, or null / JSON null when the file declares none (the identity)
     * @throws IllegalArgumentException when it is not an object or a stage is invalid
     */
    public static Pipeline fromJson(JsonNode preprocess) {
        if (preprocess == null || preprocess.isNull() || preprocess.isMissingNode()) {
            return IDENTITY;
        }
        if (!preprocess.isObject()) {
            throw new IllegalArgumentException("\"preprocess\" must be an object such as {\"resize\": 256, \"crop\": "
                    + "224}, got " + preprocess);
        }
        List<String> parts = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = preprocess.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            parts.add(e.getKey() + "=" + e.getValue().asText());
        }
        return parts.isEmpty() ? IDENTITY : parse(String.join(",", parts));
    }

    /**
     * The pipeline a model card or TorchScript side-car declares in its {@code "preprocess"} object.
     *
     * @param descriptor the JSON file
     * @return the pipeline, or null when the file declares none
     * @throws IllegalArgumentException when the file cannot be read or the object is invalid (naming the file)
     */
    public static Pipeline declaredIn(java.nio.file.Path descriptor) {
        JsonNode root;
        try {
            root = ai.preempt.model.ModelCard.JSON.readTree(descriptor.toFile());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read " + descriptor + ": " + e.getMessage(), e);
        }
        JsonNode pre = root == null ? null : root.get("preprocess");
        if (pre == null || pre.isNull()) {
            return null;
        }
        try {
            return fromJson(pre);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(descriptor + ": " + e.getMessage(), e);
        }
    }

    /**
     * The pipeline a model gets when none is declared: nothing for photos of the model's size; otherwise resize
     * the shorter side to the model's larger side and centre-crop to the model's input (for a square model, the
     * largest centred square, resized).
     */
    public static Pipeline fitTo(int[] photo, int modelH, int modelW) {
        if (photo[0] == modelH && photo[1] == modelW) {
            return IDENTITY;
        }
        return new Pipeline(List.of(Resize.shorterSide(Math.max(modelH, modelW), Resize.Kernel.ANTIALIASED),
                CenterCrop.of(modelH, modelW)));
    }

    private static Stage stage(String key, String value) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException("pipeline stage " + key + " has no value");
        }
        return switch (key) {
            case "resize" -> new Resize(Size.parse(key, value), Resize.Kernel.ANTIALIASED);
            case "resize-plain" -> new Resize(Size.parse(key, value), Resize.Kernel.BILINEAR);
            case "crop" -> new CenterCrop(Size.parse(key, value));
            case "jpeg" -> {
                try {
                    yield new Jpeg(Integer.parseInt(value));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("jpeg needs a quality 1..100, got \"" + value + "\"");
                }
            }
            default -> throw new IllegalArgumentException("unknown pipeline stage \"" + key
                    + "\"; the stages are resize, resize-plain, crop and jpeg (e.g. resize=256,crop=224,jpeg=90)");
        };
    }

    /**
     * Rejects at once what no photo can pass: a crop larger than the fixed size (HxW) a resize before it makes,
     * or whose shorter side exceeds the N a shorter-side resize makes.
     */
    private void checkFixedSizes() {
        int[] size = null; // known output size so far
        int shorter = 0; // known shorter side so far, 0 when unknown
        for (Stage s : stages) {
            if (s instanceof Resize r) {
                size = r.fixedSize();
                shorter = size == null ? r.shorterSide() : Math.min(size[0], size[1]);
            } else if (s instanceof CenterCrop c) {
                if (size != null) {
                    size = c.outputSize(size); // throws for a crop larger than the fixed size
                } else if (shorter > 0 && c.shorterSide() > shorter) {
                    throw new IllegalArgumentException(c.spec() + " is larger than the shorter side " + shorter
                            + " the resize before it makes; crop at most " + shorter);
                }
                size = c.outputSize(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE}); // a crop's size is fixed
                shorter = Math.min(size[0], size[1]);
            }
        }
    }

    /** @return the stages, in order */
    public List<Stage> stages() {
        return stages;
    }

    /** @return whether there are no stages */
    public boolean isIdentity() {
        return stages.isEmpty();
    }

    /**
     * @param photo {H, W} of the input
     * @return {H', W'} of the output
     * @throws IllegalArgumentException when a stage cannot take what the one before makes (a crop too large)
     */
    public int[] outputSize(int[] photo) {
        int[] s = photo.clone();
        for (Stage st : stages) {
            s = st.outputSize(s);
        }
        return s;
    }

    /** @return the preprocessed batch (a new array; differentiable, JPEG straight-through) */
    public NDArray apply(NDArray x) {
        NDArray y = x;
        for (Stage s : stages) {
            NDArray next = s.apply(y);
            if (y != x) {
                y.close();
            }
            y = next;
        }
        return y == x ? x.reshape(x.getShape()) : y; // a new array on the same autograd graph
    }

    /**
     * The adjoint of a linear pipeline (resize, crop; see {@link Stage#adjoint}): carries a gradient at the output
     * back to the photo, ⟨apply(x), g⟩ = ⟨x, adjoint(g, photo)⟩.
     *
     * @param g N×C×H'×W', shaped like the output for a photo of size {@code photo}
     * @param photo {H, W} of the input
     * @return N×C×H×W ({@code g} itself for the identity)
     * @throws UnsupportedOperationException when a stage is not linear (JPEG)
     */
    public NDArray adjoint(NDArray g, int[] photo) {
        int[][] in = new int[stages.size()][];
        int[] s = photo.clone();
        for (int k = 0; k < stages.size(); k++) {
            in[k] = s;
            s = stages.get(k).outputSize(s);
        }
        NDArray y = g;
        for (int k = stages.size() - 1; k >= 0; k--) {
            NDArray next = stages.get(k).adjoint(y, in[k]);
            if (y != g && next != y) {
                y.close();
            }
            y = next;
        }
        return y;
    }

    /** @return the preprocessed image (what the server makes of a photo; not rounded) */
    public ai.preempt.data.Image apply(ai.preempt.data.Image photo) {
        return ai.preempt.engine.PreemptEngine.call(() -> {
            try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager("PyTorch")) {
                return ai.preempt.data.Image.fromNDArray(apply(photo.toNDArray(m)));
            }
        });
    }

    /** @return this pipeline with {@code first} in front (e.g. a JPEG re-encode of the upload) */
    public Pipeline prepend(Stage first) {
        List<Stage> l = new ArrayList<>();
        l.add(first);
        l.addAll(stages);
        return new Pipeline(l);
    }

    /** @return whether a stage of this pipeline is a JPEG re-encode (so gradients through it are BPDA) */
    public boolean hasJpeg() {
        return stages.stream().anyMatch(s -> s instanceof Jpeg);
    }

    /**
     * The longest prefix of stages with a finite gain (the linear ones), the rest, and the prefix's gain: a
     * perturbation η of the photo moves the prefix's output by at most gain·‖η‖ in {@code norm}.
     *
     * @param photo {H, W} of the input
     */
    public Split split(Norm norm, int[] photo) {
        double gain = 1;
        int[] size = photo.clone();
        int k = 0;
        for (; k < stages.size(); k++) {
            double g = stages.get(k).gain(norm, size);
            if (Double.isInfinite(g)) {
                break;
            }
            gain *= g;
            size = stages.get(k).outputSize(size);
        }
        return new Split(new Pipeline(stages.subList(0, k)), new Pipeline(stages.subList(k, stages.size())), gain,
                size);
    }

    /**
     * A pipeline cut in two.
     *
     * @param front the linear prefix
     * @param back the rest
     * @param gain an upper bound of the front's operator norm in the norm asked for
     * @param frontSize {H, W} the front makes of the photo
     */
    public record Split(Pipeline front, Pipeline back, double gain, int[] frontSize) {}

    /** @return the pipeline string; {@code none} for the identity */
    public String spec() {
        return stages.isEmpty() ? "none" : stages.stream().map(Stage::spec).collect(Collectors.joining(","));
    }

    @Override
    public String toString() {
        return spec();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Pipeline p && p.spec().equals(spec());
    }

    @Override
    public int hashCode() {
        return spec().hashCode();
    }
}

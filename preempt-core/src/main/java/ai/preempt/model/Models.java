package ai.preempt.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a model spec to a {@link Classifier}. A spec is one of: a directory holding
 * {@value NativeClassifier#CARD_FILE} (a native model), a TorchScript file ({@code .pt}, {@code .ts},
 * {@code .torchscript}, optionally with a side-car, see {@link TorchScriptClassifier}), or a bare name
 * looked up in the bundled models directory ({@link #modelsDir()}) as {@code NAME/}, {@code NAME.pt},
 * {@code NAME.ts} or {@code NAME.torchscript}.
 */
public final class Models {

    /** System property naming the bundled models directory. */
    public static final String MODELS_PROPERTY = "preempt.models";
    /** Environment variable naming the bundled models directory, used when the property is unset. */
    public static final String MODELS_ENV = "PREEMPT_MODELS";
    /** File extensions recognised as TorchScript. */
    public static final List<String> TORCHSCRIPT_EXTENSIONS = List.of(".pt", ".ts", ".torchscript");

    private Models() {}

    /** @return the bundled models directory: {@value #MODELS_PROPERTY}, else ${@value #MODELS_ENV}, else ./models */
    public static Path modelsDir() {
        String dir = System.getProperty(MODELS_PROPERTY);
        if (dir == null || dir.isBlank()) {
            dir = System.getenv(MODELS_ENV);
        }
        return Path.of(dir == null || dir.isBlank() ? "models" : dir);
    }

    /**
     * Loads the classifier a spec names.
     *
     * @param spec a model directory, a TorchScript file, or a bare model name
     * @throws ModelException when nothing matches (the message lists what was tried) or the model is unusable
     */
    public static Classifier load(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new ModelException("no model given; pass a model directory, a .pt TorchScript file or a model name");
        }
        List<Path> tried = new ArrayList<>();
        Path direct = Path.of(spec);
        Classifier c = tryPath(direct, tried);
        if (c != null) {
            return c;
        }
        if (direct.getNameCount() == 1 && !direct.isAbsolute()) {
            Path dir = modelsDir();
            for (String candidate : candidates(spec)) {
                c = tryPath(dir.resolve(candidate), tried);
                if (c != null) {
                    return c;
                }
            }
        }
        throw new ModelException("no model " + spec + " found; tried " + tried
                + " (a directory with " + NativeClassifier.CARD_FILE + ", a .pt/.ts/.torchscript file, or a name in "
                + modelsDir().toAbsolutePath() + ")");
    }

    /**
     * @param spec a model spec, as for {@link #load}
     * @return the JSON file that describes the model it names (a native model's card, a TorchScript file's
     *     side-car), or empty when there is none
     */
    public static java.util.Optional<Path> descriptor(String spec) {
        List<Path> paths = new ArrayList<>();
        Path direct = Path.of(spec);
        paths.add(direct);
        if (direct.getNameCount() == 1 && !direct.isAbsolute()) {
            candidates(spec).forEach(c -> paths.add(modelsDir().resolve(c)));
        }
        for (Path p : paths) {
            if (Files.isDirectory(p) && Files.isRegularFile(p.resolve(NativeClassifier.CARD_FILE))) {
                return java.util.Optional.of(p.resolve(NativeClassifier.CARD_FILE));
            }
            if (Files.isRegularFile(p)) {
                Path side = TorchScriptClassifier.sideCarOf(p);
                return Files.isRegularFile(side) ? java.util.Optional.of(side) : java.util.Optional.empty();
            }
        }
        return java.util.Optional.empty();
    }

    private static List<String> candidates(String name) {
        List<String> names = new ArrayList<>();
        names.add(name);
        for (String ext : TORCHSCRIPT_EXTENSIONS) {
            if (!name.endsWith(ext)) {
                names.add(name + ext);
            }
        }
        return names;
    }

    /** @return the classifier at {@code p}, or null (recording {@code p} as tried) when nothing is there */
    private static Classifier tryPath(Path p, List<Path> tried) {
        if (Files.isDirectory(p) && Files.isRegularFile(p.resolve(NativeClassifier.CARD_FILE))) {
            return NativeClassifier.load(p);
        }
        if (Files.isRegularFile(p)) {
            // any other existing file is offered to the TorchScript loader, which says clearly what is wrong
            return TorchScriptClassifier.load(p);
        }
        tried.add(Files.isDirectory(p) ? p.resolve(NativeClassifier.CARD_FILE) : p);
        return null;
    }
}

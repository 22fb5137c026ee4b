package ai.preempt.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A user's own labelled images: one subfolder per class, named as the class (e.g. {@code cat/}, {@code dog/}),
 * each holding PNG, JPEG or BMP files of any size. Every image is brought to the model's input size by
 * {@link Resize#fit} and stored on the 8-bit grid, as a written file would be. Labels are positions in the
 * class list the caller gives (the model's), so a folder may hold a subset of the classes.
 */
public final class LabeledFolder {

    private LabeledFolder() {}

    /**
     * @param dir the folder of class folders
     * @param classes the model's class names; every subfolder must be one of them
     * @param channels C of the model's input (1 takes the mean of red, green and blue; 3 keeps them)
     * @param height H of the model's input
     * @param width W of the model's input
     * @return the images in class-folder order, files sorted by name; {@link LabeledImages#index} is that order
     * @throws DataException when the folder is missing or empty, a subfolder names no known class, or a file is
     *     not a readable image
     */
    public static LabeledImages load(Path dir, List<String> classes, int channels, int height, int width) {
        if (!Files.isDirectory(dir)) {
            throw new DataException("--images: " + dir + " is not a folder (expected one subfolder per class)");
        }
        if (channels != 1 && channels != 3) {
            throw new DataException("--images needs a model taking 1 or 3 channels, this one takes " + channels);
        }
        List<Path> classDirs = sorted(dir, Files::isDirectory);
        List<Integer> labels = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (Path sub : classDirs) {
            String name = sub.getFileName().toString();
            int label = classes.indexOf(name);
            if (label < 0) {
                throw new DataException("--images: folder '" + name + "' in " + dir + " is not a class of the "
                        + "model; its classes are " + classes);
            }
            for (Path f : sorted(sub, ImageFolder::isImageFile)) {
                files.add(f);
                labels.add(label);
            }
        }
        if (files.isEmpty()) {
            throw new DataException("--images: no image files in class folders under " + dir
                    + " (expected e.g. " + dir.resolve(classes.get(0)).resolve("photo.jpg") + ")");
        }
        int per = channels * height * width;
        byte[] pixels = new byte[Math.multiplyExact(per, files.size())];
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            Image img = Resize.fit(ImageIo.read(f), f.toString(), height, width, Resize.DEFAULT_POLICY);
            float[] chw = img.chw();
            int plane = height * width;
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < plane; p++) {
                    float v = channels == 3 ? chw[c * plane + p]
                            : (chw[p] + chw[plane + p] + chw[2 * plane + p]) / 3f;
                    pixels[i * per + c * plane + p] = (byte) Math.round(Math.min(1f, Math.max(0f, v)) * 255f);
                }
            }
        }
        return LabeledImages.wrap(pixels, labels.stream().mapToInt(Integer::intValue).toArray(), List.copyOf(classes),
                channels, height, width);
    }

    /** As {@link #load(Path, List, int, int, int)} for a model's input shape C×H×W. */
    public static LabeledImages load(Path dir, List<String> classes, ai.djl.ndarray.types.Shape inputShape) {
        if (inputShape.dimension() != 3) {
            throw new IllegalArgumentException("expected an input shape C×H×W, got " + inputShape);
        }
        return load(dir, classes, (int) inputShape.get(0), (int) inputShape.get(1), (int) inputShape.get(2));
    }

    private static List<Path> sorted(Path dir, java.util.function.Predicate<Path> keep) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(keep).sorted().toList();
        } catch (IOException e) {
            throw new DataException("could not list " + dir + ": " + e.getMessage(), e);
        }
    }
}

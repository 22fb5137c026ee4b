package ai.preempt.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Lists image files from a mix of files and folders. Files are taken in the order given; a folder
 * contributes its image files (not those of subfolders, not hidden ones) sorted by name, so runs are
 * deterministic. Image files are those ending in .png, .jpg, .jpeg or .bmp, in any case.
 */
public final class ImageFolder {

    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp");

    private ImageFolder() {}

    /** @see #list(List) */
    public static List<Path> list(Path... paths) {
        return list(List.of(paths));
    }

    /**
     * @param paths image files and folders
     * @return the image files, each once
     * @throws DataException when a path does not exist, a given file is not an image file, or nothing
     *     was found
     */
    public static List<Path> list(List<Path> paths) {
        Set<Path> out = new LinkedHashSet<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                out.addAll(listFolder(p));
            } else if (Files.isRegularFile(p)) {
                if (!isImageFile(p)) {
                    throw new DataException(p + " is not an image file (expected .png, .jpg, .jpeg or .bmp)");
                }
                out.add(p.normalize());
            } else {
                throw new DataException(p + " does not exist");
            }
        }
        if (out.isEmpty()) {
            throw new DataException("no .png, .jpg, .jpeg or .bmp files found in " + paths);
        }
        return List.copyOf(out);
    }

    /** @return true when the file name has an image extension */
    public static boolean isImageFile(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static List<Path> listFolder(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = new ArrayList<>(s.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith("."))
                    .filter(ImageFolder::isImageFile)
                    .map(Path::normalize)
                    .toList());
            files.sort(Comparator.comparing(f -> f.getFileName().toString()));
            return files;
        } catch (IOException e) {
            throw new DataException("could not list folder " + dir + ": " + e.getMessage(), e);
        }
    }
}

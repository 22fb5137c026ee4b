package ai.preempt.data;

import java.nio.file.Path;

/** Finds the CIFAR-10 folder from the {@code --data} flag, the environment, or the default location. */
public final class DataDirs {

    /** Environment variable naming the CIFAR-10 folder. */
    public static final String ENV = "PREEMPT_DATA";
    /** The folder name inside the official archive. */
    public static final String CIFAR_FOLDER = "cifar-10-batches-bin";

    private DataDirs() {}

    /** @return {@code ~/.preempt/data/cifar-10-batches-bin} */
    public static Path defaultCifarDir() {
        return defaultCifarDir(Path.of(System.getProperty("user.home")));
    }

    private static Path defaultCifarDir(Path home) {
        return home.resolve(".preempt").resolve("data").resolve(CIFAR_FOLDER);
    }

    /**
     * Chooses the folder: {@code flagValueOrNull} if given, else {@code $PREEMPT_DATA}, else
     * {@link #defaultCifarDir()}. A folder that holds a {@code cifar-10-batches-bin} subfolder is accepted
     * too. If the chosen folder lacks the batch files, the official archive is downloaded into it (this
     * fails within about ten seconds when the network is unreachable).
     *
     * @return a folder holding all CIFAR-10 batch files
     * @throws DataException when the data is missing and cannot be downloaded
     */
    public static Path resolveCifar(String flagValueOrNull) {
        return resolveCifar(flagValueOrNull, Split.values());
    }

    /**
     * As {@link #resolveCifar(String)} for a command that reads only some splits: a folder holding their batch
     * files is enough (e.g. only {@code test_batch.bin} for the test split), and nothing is downloaded then.
     *
     * @param needed the splits the command reads
     * @return a folder holding the batch files of {@code needed}
     */
    public static Path resolveCifar(String flagValueOrNull, Split... needed) {
        return resolveCifar(flagValueOrNull, System.getenv(ENV), Path.of(System.getProperty("user.home")),
                CifarDownloader.official(), needed);
    }

    static Path resolveCifar(String flag, String env, Path home, CifarDownloader downloader) {
        return resolveCifar(flag, env, home, downloader, Split.values());
    }

    static Path resolveCifar(String flag, String env, Path home, CifarDownloader downloader, Split... needed) {
        Path chosen;
        if (flag != null && !flag.isBlank()) {
            chosen = Path.of(flag.strip());
        } else if (env != null && !env.isBlank()) {
            chosen = Path.of(env.strip());
        } else {
            chosen = defaultCifarDir(home);
        }
        if (Cifar10.hasSplits(chosen, needed)) {
            return chosen;
        }
        Path nested = chosen.resolve(CIFAR_FOLDER);
        if (Cifar10.hasSplits(nested, needed)) {
            return nested;
        }
        return downloader.downloadInto(chosen);
    }
}

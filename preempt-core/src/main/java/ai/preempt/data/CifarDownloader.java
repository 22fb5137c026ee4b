package ai.preempt.data;

import ai.preempt.io.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads the CIFAR-10 binary archive, checks its MD5, extracts the batch files and moves them into
 * place. Everything is staged in hidden temporary files beside the target and removed on failure, so
 * a failed or interrupted download leaves nothing behind. The URL is injectable so tests can use a
 * local {@code file:} archive.
 */
public final class CifarDownloader {

    /** The official archive. */
    public static final URI OFFICIAL_URL = URI.create("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz");
    /** MD5 of the official archive, as published on the CIFAR-10 page. */
    public static final String OFFICIAL_MD5 = "c32a1d4ab5d03f1284b67883e8d87530";
    /** How long to wait for a connection before concluding the network is unreachable. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(CifarDownloader.class);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    private static final String ADVICE = "download cifar-10-binary.tar.gz yourself, extract it, and pass "
            + "--data DIR or set PREEMPT_DATA to its cifar-10-batches-bin folder";

    private final URI url;
    private final String md5;
    private final Duration connectTimeout;

    /**
     * @param url where the {@code .tar.gz} archive is
     * @param md5Hex its expected MD5, hex
     * @param connectTimeout how long to wait for a connection
     */
    public CifarDownloader(URI url, String md5Hex, Duration connectTimeout) {
        this.url = url;
        this.md5 = md5Hex.toLowerCase(java.util.Locale.ROOT);
        this.connectTimeout = connectTimeout;
    }

    /** @return a downloader for the official archive */
    public static CifarDownloader official() {
        return new CifarDownloader(OFFICIAL_URL, OFFICIAL_MD5, DEFAULT_CONNECT_TIMEOUT);
    }

    /**
     * Downloads, verifies and extracts the archive so that {@code target} holds the batch files.
     *
     * @param target the {@code cifar-10-batches-bin} folder to create or complete
     * @return {@code target}
     * @throws DataException when the network is unreachable, the checksum is wrong, or the archive lacks
     *     the batch files
     */
    public Path downloadInto(Path target) {
        Path dir = target.toAbsolutePath().normalize();
        Path parent = dir.getParent();
        Path archive = null;
        Path staging = null;
        Path firstCreated = firstMissingAncestor(parent);
        boolean done = false;
        try {
            Files.createDirectories(parent);
            archive = Files.createTempFile(parent, ".cifar-10-binary.", ".tar.gz.tmp");
            String actual = fetch(archive);
            if (!actual.equals(md5)) {
                throw new DataException("the file downloaded from " + url + " has MD5 " + actual + " instead of "
                        + md5 + ", so it was discarded; try again, or " + ADVICE);
            }
            staging = Files.createTempDirectory(parent, ".cifar-10-batches-bin.");
            extract(archive, staging);
            for (Split s : Split.values()) {
                for (String name : s.fileNames()) {
                    Cifar10.checkedRecords(staging, name);
                }
            }
            install(staging, dir);
            LOG.info("CIFAR-10 is ready in {}", dir);
            done = true;
            return dir;
        } catch (IOException e) {
            throw new DataException("could not set up CIFAR-10 in " + dir + " (" + e + "); " + ADVICE, e);
        } finally {
            deleteQuietly(archive);
            deleteQuietly(staging);
            if (!done) {
                removeEmptyFolders(parent, firstCreated);
            }
        }
    }

    /** @return the highest ancestor of {@code dir} (or itself) that does not exist yet, or null */
    private static Path firstMissingAncestor(Path dir) {
        Path missing = null;
        for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) {
            missing = p;
        }
        return missing;
    }

    /** Removes the folders this download created, from {@code dir} up to {@code top}, while empty. */
    private static void removeEmptyFolders(Path dir, Path top) {
        if (top == null) {
            return;
        }
        for (Path p = dir; p != null && p.startsWith(top); p = p.getParent()) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                return; // not empty, or not ours to remove
            }
        }
    }

    /** Streams the URL into {@code file} and returns the hex MD5 of what was received. */
    private String fetch(Path file) {
        LOG.info("downloading CIFAR-10 from {}", url);
        MessageDigest digest = md5Digest();
        try {
            URLConnection conn = url.toURL().openConnection();
            conn.setConnectTimeout((int) connectTimeout.toMillis());
            conn.setReadTimeout((int) READ_TIMEOUT.toMillis());
            if (conn instanceof HttpURLConnection http) {
                http.setInstanceFollowRedirects(true);
                int code = http.getResponseCode();
                if (code != HttpURLConnection.HTTP_OK) {
                    throw new DataException("could not download CIFAR-10: " + url + " answered HTTP " + code
                            + "; " + ADVICE);
                }
            }
            try (InputStream in = new DigestInputStream(conn.getInputStream(), digest);
                    OutputStream out = Files.newOutputStream(file)) {
                in.transferTo(out);
            }
        } catch (IOException | IllegalArgumentException e) {
            String why = e instanceof java.net.UnknownHostException ? "unknown host " + e.getMessage()
                    : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new DataException("could not download CIFAR-10 from " + url + " (" + why
                    + "), perhaps because this machine is offline; " + ADVICE, e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Extracts the known CIFAR-10 files (by file name, wherever they sit in the archive). */
    private static void extract(Path archive, Path staging) throws IOException {
        Set<String> wanted = new HashSet<>(Set.of(Cifar10.META_FILE, "readme.html"));
        for (Split s : Split.values()) {
            wanted.addAll(s.fileNames());
        }
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(
                new BufferedInputStream(Files.newInputStream(archive), 1 << 16)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = Path.of(e.getName()).getFileName().toString();
                if (e.isFile() && wanted.remove(name)) {
                    AtomicFiles.write(staging.resolve(name), out -> copyEntry(tar, out));
                }
            }
        }
    }

    private static void copyEntry(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
        }
    }

    /** Moves the staged folder to {@code dir}, or its files into {@code dir} when that already exists. */
    private static void install(Path staging, Path dir) throws IOException {
        if (!Files.exists(dir)) {
            move(staging, dir);
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new DataException(dir + " exists and is not a folder, so CIFAR-10 cannot be placed there; "
                    + ADVICE);
        }
        try (Stream<Path> files = Files.list(staging)) {
            for (Path f : files.toList()) {
                move(f, dir.resolve(f.getFileName().toString()));
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static MessageDigest md5Digest() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no MD5", e);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null || !Files.exists(p)) {
            return;
        }
        try (Stream<Path> all = Files.walk(p)) {
            for (Path q : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        } catch (IOException e) {
            LOG.warn("could not remove temporary {}: {}", p, e.toString());
        }
    }
}

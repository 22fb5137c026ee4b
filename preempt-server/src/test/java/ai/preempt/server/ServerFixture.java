package ai.preempt.server;

import ai.preempt.data.Cifar10;
import ai.preempt.data.Image;
import ai.preempt.data.ImageIo;
import ai.preempt.data.LabeledImages;
import ai.preempt.data.Split;
import ai.preempt.data.TestData;
import ai.preempt.robustify.RobustifyConfig;
import ai.preempt.threat.Norm;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What the server tests share: the bundled model, a quick robustification, CIFAR-10 images as PNG, HTTP calls. */
final class ServerFixture {

    private ServerFixture() {}

    static {
        // one intra-op thread: the tests' batches are tiny, and a shared CI machine punishes oversubscription
        ai.preempt.engine.PreemptEngine.setThreads(1);
    }

    /** The repository root (tests run in the module folder). */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** @return the bundled default model's folder */
    static String model() {
        return ROOT.resolve("models/adv-linf").toString();
    }

    /** A few outer and inner steps: enough to move images, cheap enough for CI. */
    static RobustifyConfig quickRobustify() {
        return RobustifyConfig.builder(Norm.LINF, 8 / 255.0).optOuterSteps(4).optInnerSteps(3).build();
    }

    /** @return a builder for a server on a free port with the quick robustification */
    static ServerConfig.Builder config() {
        return ServerConfig.builder(model()).optPort(0).optRobustify(quickRobustify()).optAttackSteps(5)
                .optMaxWaitMs(5);
    }

    /** @return the first n CIFAR-10 test images as PNG files' bytes */
    static List<byte[]> cifarPngs(int n) {
        LabeledImages test = Cifar10.load(TestData.cifarDir(), Split.TEST).head(n);
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(ImageIo.toPngBytes(test.image(i)));
        }
        return out;
    }

    /**
     * @return CIFAR-10 test image {@code index} enlarged (nearest neighbour) to h×w: a photo of another size than
     *     the model's input, which the server must fit to the model and return at h×w
     */
    static Image photo(int index, int h, int w) {
        Image src = Cifar10.load(TestData.cifarDir(), Split.TEST).head(index + 1).image(index);
        float[] chw = new float[src.channels() * h * w];
        for (int c = 0; c < src.channels(); c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    chw[(c * h + y) * w + x] = src.get(c, y * src.height() / h, x * src.width() / w);
                }
            }
        }
        return new Image(src.channels(), h, w, chw);
    }

    /** @return a bundled sample photo's bytes */
    static byte[] sample(String name) throws IOException {
        return Files.readAllBytes(samplePath(name));
    }

    /** @return a bundled sample photo's path */
    static Path samplePath(String name) {
        return ROOT.resolve("samples").resolve(name);
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** POSTs a body with a content type (null: none) and returns the answer. */
    static HttpResponse<byte[]> post(PreemptServer s, String path, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url() + path)).timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        // a client of its own per POST: the server closes the connection of a refused upload it did not read, and a
        // pooled connection the server has closed fails the next request with "received no bytes" (browsers and
        // curl reconnect; java.net.http does not retry a POST)
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                .send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** GETs a path and returns the answer as text. */
    static HttpResponse<String> get(PreemptServer s, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** @return a multipart/form-data body with one file field */
    static byte[] multipart(String boundary, String field, String filename, String type, byte[] content) {
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\""
                + filename + "\"\r\nContent-Type: " + type + "\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        byte[] h = head.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] t = tail.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] out = new byte[h.length + content.length + t.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(content, 0, out, h.length, content.length);
        System.arraycopy(t, 0, out, h.length + content.length, t.length);
        return out;
    }
}

package ai.preempt.server;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A server with {@link ServerFixture#config()}'s settings for all tests of a class (register it as a static
 * {@code @RegisterExtension} field), HTTP calls to it, and the first CIFAR-10 test image as a PNG file's bytes.
 */
final class SharedServer implements BeforeAllCallback, AfterAllCallback {

    private PreemptServer server;
    private byte[] png;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = PreemptServer.start(ServerFixture.config().build());
        png = ServerFixture.cifarPngs(1).get(0);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.close();
    }

    /** @return the running server */
    PreemptServer server() {
        return server;
    }

    /** POSTs to the server as {@link ServerFixture#post} does. */
    HttpResponse<byte[]> post(String path, String contentType, byte[] body) throws Exception {
        return ServerFixture.post(server, path, contentType, body);
    }

    /** GETs from the server as {@link ServerFixture#get} does. */
    HttpResponse<String> get(String path) throws Exception {
        return ServerFixture.get(server, path);
    }

    /** @return a valid upload: CIFAR-10 test image 0 as PNG */
    byte[] png() {
        return png.clone();
    }
}

package ai.preempt.server;

import static ai.preempt.server.ServerFixture.post;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every malformed request gets the right 4xx with a one-line JSON error, and the server keeps serving. */
class MalformedRequestsTest {

    private static PreemptServer server;
    private static byte[] png;

    @BeforeAll
    static void start() {
        server = PreemptServer.start(ServerFixture.config().build());
        png = ServerFixture.cifarPngs(1).get(0);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void assertError(HttpResponse<byte[]> r, int status, String fragment) {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).as(body).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(body).startsWith("{\"error\":\"").endsWith("\"}").doesNotContain("\n").doesNotContain("Exception")
                .doesNotContain("\tat ").containsIgnoringCase(fragment);
    }

    @Test
    void emptyBodyIs400() throws Exception {
        assertError(post(server, "/v1/robustify", "image/png", new byte[0]), 400, "empty");
    }

    @Test
    void truncatedPngIs400() throws Exception {
        assertError(post(server, "/v1/classify", "image/png", Arrays.copyOf(png, png.length / 2)), 400, "truncated");
    }

    @Test
    void pngHeaderClaiming50000x50000Is413BeforeDecoding() throws Exception {
        assertError(post(server, "/v1/robustify", "image/png", pngHeader(50_000, 50_000)), 413, "2,500,000,000 pixels");
    }

    @Test
    void wrongContentTypeIs415() throws Exception {
        assertError(post(server, "/v1/robustify", "text/plain", png), 415, "text/plain");
    }

    @Test
    void notAnImageIs415() throws Exception {
        byte[] gif = "GIF89a\u0001\u0000\u0001\u0000\u0080\u0000\u0000".getBytes(StandardCharsets.ISO_8859_1);
        assertError(post(server, "/v1/classify", "application/octet-stream", gif), 415, "GIF");
    }

    @Test
    void elevenMegabyteUploadIs413() throws Exception {
        byte[] big = Arrays.copyOf(png, 11 * 1024 * 1024);
        assertError(post(server, "/v1/robustify", "image/png", big), 413, "bytes");
    }

    @Test
    void elevenMegabyteMultipartUploadIs413() throws Exception {
        byte[] big = Arrays.copyOf(png, 11 * 1024 * 1024);
        assertError(post(server, "/v1/robustify", "multipart/form-data; boundary=b0undary",
                ServerFixture.multipart("b0undary", "image", "big.png", "image/png", big)), 413, "exceeds");
    }

    @Test
    void garbageMultipartIs400() throws Exception {
        assertError(post(server, "/v1/robustify", "multipart/form-data; boundary=xyz", png), 400, "multipart");
    }

    @Test
    void multipartWithoutImageFieldIs400() throws Exception {
        assertError(post(server, "/v1/robustify", "multipart/form-data; boundary=b0undary",
                ServerFixture.multipart("b0undary", "photo", "a.png", "image/png", png)), 400, "'image'");
    }

    @Test
    void unknownRouteIs404Json() throws Exception {
        HttpResponse<String> r = ServerFixture.get(server, "/v2/nothing-here");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).isEqualTo("{\"error\":\"no such route: GET /v2/nothing-here\"}");
    }

    @Test
    void wrongMethodIs405Json() throws Exception {
        HttpResponse<String> r = ServerFixture.get(server, "/v1/robustify");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.body()).startsWith("{\"error\":");
    }

    @Test
    void serverKeepsServingAfterEveryMalformedRequest() throws Exception {
        post(server, "/v1/robustify", "image/png", new byte[0]);
        post(server, "/v1/robustify", "multipart/form-data; boundary=xyz", png);
        post(server, "/v1/robustify", "image/png", pngHeader(50_000, 50_000));
        post(server, "/v1/robustify", "image/png", Arrays.copyOf(png, 11 * 1024 * 1024));
        assertThat(ServerFixture.get(server, "/healthz").statusCode()).isEqualTo(200);
        HttpResponse<byte[]> ok = post(server, "/v1/classify", "image/png", png);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(new String(ok.body(), StandardCharsets.UTF_8)).contains("\"class\":");
    }

    /** @return a valid PNG whose IHDR claims w×h pixels, with a tiny IDAT: a decompression bomb's header */
    static byte[] pngHeader(int w, int h) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        byte[] ihdr = java.nio.ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0).array();
        chunk(out, "IHDR", ihdr);
        Deflater d = new Deflater();
        d.setInput(new byte[4096]);
        d.finish();
        byte[] buf = new byte[1024];
        int n = d.deflate(buf);
        chunk(out, "IDAT", Arrays.copyOf(buf, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws Exception {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}

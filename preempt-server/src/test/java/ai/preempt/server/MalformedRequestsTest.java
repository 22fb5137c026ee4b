package ai.preempt.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every malformed request gets the right 4xx with a one-line JSON error, and the server keeps serving. */
class MalformedRequestsTest {

    @RegisterExtension
    static final SharedServer SERVER = new SharedServer();

    private static void assertError(HttpResponse<byte[]> r, int status, String fragment) {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).as(body).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(body).startsWith("{\"error\":\"").endsWith("\"}").doesNotContain("\n").doesNotContain("Exception")
                .doesNotContain("\tat ").containsIgnoringCase(fragment);
    }

    @Test
    void emptyBodyIs400() throws Exception {
        assertError(SERVER.post("/v1/robustify", "image/png", new byte[0]), 400, "empty");
    }

    @Test
    void truncatedPngIs400() throws Exception {
        assertError(SERVER.post("/v1/classify", "image/png", Arrays.copyOf(SERVER.png(), SERVER.png().length / 2)), 400, "truncated");
    }

    @Test
    void pngHeaderClaiming50000x50000Is413BeforeDecoding() throws Exception {
        assertError(SERVER.post("/v1/robustify", "image/png", pngHeader(50_000, 50_000)), 413, "2,500,000,000 pixels");
    }

    @Test
    void wrongContentTypeIs415() throws Exception {
        assertError(SERVER.post("/v1/robustify", "text/plain", SERVER.png()), 415, "text/plain");
    }

    @Test
    void notAnImageIs415() throws Exception {
        byte[] gif = "GIF89a\u0001\u0000\u0001\u0000\u0080\u0000\u0000".getBytes(StandardCharsets.ISO_8859_1);
        assertError(SERVER.post("/v1/classify", "application/octet-stream", gif), 415, "GIF");
    }

    @Test
    void elevenMegabyteUploadIs413() throws Exception {
        byte[] big = Arrays.copyOf(SERVER.png(), 11 * 1024 * 1024);
        assertError(SERVER.post("/v1/robustify", "image/png", big), 413, "bytes");
    }

    @Test
    void elevenMegabyteMultipartUploadIs413() throws Exception {
        byte[] big = Arrays.copyOf(SERVER.png(), 11 * 1024 * 1024);
        assertError(SERVER.post("/v1/robustify", "multipart/form-data; boundary=b0undary",
                ServerFixture.multipart("b0undary", "image", "big.png", "image/png", big)), 413, "exceeds");
    }

    @Test
    void garbageMultipartIs400() throws Exception {
        assertError(SERVER.post("/v1/robustify", "multipart/form-data; boundary=xyz", SERVER.png()), 400, "multipart");
    }

    @Test
    void multipartWithoutImageFieldIs400() throws Exception {
        assertError(SERVER.post("/v1/robustify", "multipart/form-data; boundary=b0undary",
                ServerFixture.multipart("b0undary", "photo", "a.png", "image/png", SERVER.png())), 400, "'image'");
    }

    @Test
    void unknownRouteIs404Json() throws Exception {
        HttpResponse<String> r = SERVER.get("/v2/nothing-here");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).isEqualTo("{\"error\":\"no such route: GET /v2/nothing-here\"}");
    }

    @Test
    void wrongMethodIs405Json() throws Exception {
        HttpResponse<String> r = SERVER.get("/v1/robustify");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.body()).startsWith("{\"error\":");
    }

    @Test
    void serverKeepsServingAfterEveryMalformedRequest() throws Exception {
        SERVER.post("/v1/robustify", "image/png", new byte[0]);
        SERVER.post("/v1/robustify", "multipart/form-data; boundary=xyz", SERVER.png());
        SERVER.post("/v1/robustify", "image/png", pngHeader(50_000, 50_000));
        SERVER.post("/v1/robustify", "image/png", Arrays.copyOf(SERVER.png(), 11 * 1024 * 1024));
        assertThat(SERVER.get("/healthz").statusCode()).isEqualTo(200);
        HttpResponse<byte[]> ok = SERVER.post("/v1/classify", "image/png", SERVER.png());
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

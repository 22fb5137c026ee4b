package ai.preempt.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.data.Image;
import ai.preempt.data.ImageIo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The API contract: what each endpoint answers for a good request. */
class EndpointsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final SharedServer SERVER = new SharedServer();
    private static final double EPS = 8 / 255.0;

    private static Image decode(byte[] bytes) throws Exception {
        Path f = Files.createTempFile("endpoints", ".png");
        try {
            Files.write(f, bytes);
            return ImageIo.read(f);
        } finally {
            Files.delete(f);
        }
    }

    private static double linf(Image a, Image b) {
        double m = 0;
        for (int i = 0; i < a.chw().length; i++) {
            m = Math.max(m, Math.abs(a.chw()[i] - b.chw()[i]));
        }
        return m;
    }

    @Test
    void robustifyAnswersAnEightBitPngInsideTheBudgetWithItsVerdictInAHeader() throws Exception {
        HttpResponse<byte[]> r = SERVER.post("/v1/robustify", "image/png", SERVER.png());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("image/png");
        JsonNode verdict = JSON.readTree(r.headers().firstValue("X-Preempt-Verdict").orElseThrow());
        Image out = decode(r.body());
        Image in = decode(SERVER.png());
        assertThat(out.height()).isEqualTo(32);
        assertThat(out.width()).isEqualTo(32);
        assertThat(linf(out, in)).isLessThanOrEqualTo(EPS + 1e-6).isPositive();
        assertThat(verdict.get("linfDistance").asDouble()).isCloseTo(linf(out, in), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(verdict.get("classBefore").asText()).isNotEmpty();
        assertThat(verdict.get("psnr").asDouble()).isGreaterThan(20);
    }

    @Test
    void robustifyReturnsThePhotoAtItsOwnSizeWithinTheBudgetOfEveryPixel() throws Exception {
        Image photo = ServerFixture.photo(1, 40, 48);
        HttpResponse<byte[]> r = SERVER.post("/v1/robustify", "image/png", ImageIo.toPngBytes(photo));
        assertThat(r.statusCode()).isEqualTo(200);
        Image out = decode(r.body());
        assertThat(out.height()).isEqualTo(photo.height());
        assertThat(out.width()).isEqualTo(photo.width());
        assertThat(linf(out, photo)).isLessThanOrEqualTo(EPS + 1e-6).isPositive();
        JsonNode verdict = JSON.readTree(r.headers().firstValue("X-Preempt-Verdict").orElseThrow());
        assertThat(verdict.get("height").asInt()).isEqualTo(photo.height());
        assertThat(verdict.get("width").asInt()).isEqualTo(photo.width());
    }

    @Test
    void jsonFormatAndMultipartGiveTheSameBytesAsTheRawPng() throws Exception {
        byte[] raw = SERVER.post("/v1/robustify", "image/png", SERVER.png()).body();
        HttpResponse<byte[]> json = SERVER.post("/v1/robustify?format=json", "application/octet-stream", SERVER.png());
        assertThat(json.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(json.body());
        assertThat(Base64.getDecoder().decode(body.get("image").asText())).isEqualTo(raw);
        assertThat(Base64.getDecoder().decode(body.get("input").asText())).isEqualTo(SERVER.png());
        assertThat(body.get("verdict").get("passes").asLong()).isPositive();
        HttpResponse<byte[]> form = SERVER.post("/v1/robustify", "multipart/form-data; boundary=AaB03x",
                ServerFixture.multipart("AaB03x", Uploads.FIELD, "cifar.png", "image/png", SERVER.png()));
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.body()).isEqualTo(raw);
    }

    @Test
    void classifyAnswersTheLabelAndADistribution() throws Exception {
        HttpResponse<byte[]> r = SERVER.post("/v1/classify", "image/png", SERVER.png());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        double sum = 0;
        double best = -1;
        String argmax = null;
        for (var it = body.get("probabilities").fields(); it.hasNext();) {
            var e = it.next();
            sum += e.getValue().asDouble();
            if (e.getValue().asDouble() > best) {
                best = e.getValue().asDouble();
                argmax = e.getKey();
            }
        }
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(body.get("class").asText()).isEqualTo(argmax);
    }

    @Test
    void attackAnswersThePhotoAtItsOwnSizeInsideTheBudgetAndBothLabelsAsTheServerSeesThem() throws Exception {
        Image photo = ServerFixture.photo(2, 48, 40);
        HttpResponse<byte[]> r = SERVER.post("/v1/attack", "image/png", ImageIo.toPngBytes(photo));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        Image attacked = decode(Base64.getDecoder().decode(body.get("image").asText()));
        assertThat(attacked.height()).isEqualTo(photo.height());
        assertThat(attacked.width()).isEqualTo(photo.width());
        assertThat(linf(attacked, photo)).isLessThanOrEqualTo(EPS + 1e-6);
        assertThat(body.get("changed").asBoolean())
                .isEqualTo(body.get("labelBefore").asLong() != body.get("labelAfter").asLong());
        JsonNode classified = JSON.readTree(SERVER.post("/v1/classify", "image/png",
                Base64.getDecoder().decode(body.get("image").asText())).body());
        assertThat(classified.get("label").asLong()).isEqualTo(body.get("labelAfter").asLong());
    }

    @Test
    void healthMetricsDocsAndPageAreServed() throws Exception {
        SERVER.post("/v1/classify", "image/png", SERVER.png());
        HttpResponse<String> health = SERVER.get("/healthz");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(health.body()).get("status").asText()).isEqualTo("ok");
        String metrics = SERVER.get("/metrics").body();
        assertThat(metrics).contains("preempt_http_requests_seconds_count{method=\"POST\",route=\"/v1/classify\",status=\"200\"}")
                .contains("preempt_http_requests_seconds_bucket{").contains("preempt_queue_depth 0")
                .contains("preempt_batch_size_count{operation=\"classify\"}").contains("preempt_images_per_second")
                .contains("preempt_images_processed_total{operation=\"classify\"}");
        String docs = SERVER.get("/docs").body();
        String bundle = docs.replaceAll("(?s).*src=\"([^\"]*swagger-ui-bundle\\.js)\".*", "$1");
        assertThat(SERVER.get(bundle).statusCode()).isEqualTo(200);
        assertThat(SERVER.get("/").body()).contains("id=\"file\"").contains("/app.js");
        assertThat(SERVER.get("/app.js").statusCode()).isEqualTo(200);
    }

    @Test
    void theOpenApiDocumentDescribesEveryRoute() throws Exception {
        JsonNode doc = JSON.readTree(SERVER.get("/openapi.json").body());
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        for (String path : List.of("/v1/robustify", "/v1/classify", "/v1/attack", "/healthz", "/metrics", "/openapi.json")) {
            assertThat(doc.get("paths").has(path)).as(path).isTrue();
        }
    }

    @Test
    void aRequestNotFinishedInTimeIs504AndTheServerGoesOn() throws Exception {
        try (PreemptServer slow = PreemptServer.start(ServerFixture.config().optTimeoutMs(1)
                .optRobustify(ServerFixture.quickRobustify().toBuilder().optOuterSteps(50).build()).build())) {
            HttpResponse<byte[]> r = ServerFixture.post(slow, "/v1/robustify", "image/png", SERVER.png());
            assertThat(r.statusCode()).isEqualTo(504);
            assertThat(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8)).startsWith("{\"error\":");
            assertThat(ServerFixture.get(slow, "/healthz").statusCode()).isEqualTo(200);
        }
    }
}

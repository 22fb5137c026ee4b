package ai.preempt.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A client that disconnects while its request waits frees its slot: the request is dropped, never computed. */
class ClientDisconnectTest {

    private static double metric(PreemptServer s, String name) throws Exception {
        for (String line : ServerFixture.get(s, "/metrics").body().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        return 0;
    }

    private static void await(PreemptServer s, String name, double value) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (metric(s, name) != value) {
            assertThat(System.nanoTime()).as("waiting for " + name + " = " + value).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void aRequestWhoseClientHasGoneIsDroppedBeforeCompute() throws Exception {
        byte[] png = ServerFixture.cifarPngs(1).get(0);
        try (PreemptServer server = PreemptServer.start(ServerFixture.config().optMaxBatch(1).optMaxWaitMs(0)
                .optRobustify(ServerFixture.quickRobustify().toBuilder().optOuterSteps(60).build()).build())) {
            // a long request occupies the worker
            CompletableFuture<HttpResponse<byte[]>> busy = HttpClient.newHttpClient().sendAsync(
                    HttpRequest.newBuilder(URI.create(server.url() + "/v1/robustify")).header("Content-Type", "image/png")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            await(server, "preempt_queue_depth", 0);
            Thread.sleep(200);
            // a second request waits in the queue; then its client hangs up
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/robustify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\nContent-Length: "
                        + png.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(png);
                out.flush();
                await(server, "preempt_queue_depth", 1);
            }
            await(server, "preempt_queue_abandoned_total", 1);
            assertThat(busy.isDone()).as("dropped while the worker was still busy").isFalse();
            assertThat(busy.get().statusCode()).isEqualTo(200);
            assertThat(metric(server, "preempt_images_processed_total{operation=\"robustify\"}")).as("only the first computed").isEqualTo(1);
        }
    }
}

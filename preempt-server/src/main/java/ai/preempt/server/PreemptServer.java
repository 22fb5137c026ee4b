package ai.preempt.server;

import ai.preempt.data.Image;
import ai.preempt.model.Classifier;
import ai.preempt.model.Models;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * Preempt as an HTTP service: {@code POST /v1/robustify}, {@code /v1/classify} and {@code /v1/attack} take an
 * image (raw body or multipart field {@code image}); {@code GET /healthz}, {@code /metrics} (Prometheus),
 * {@code /openapi.json}, Swagger UI at {@code /docs}, and the web page at {@code /}. Requests are batched by a
 * {@link BatchQueue} in front of the engine's single compute thread. Every error is a one-line JSON
 * {@code {"error": "..."}}; no stack trace reaches a client.
 *
 * <p>Start with {@link #start(ServerConfig)}; {@link #close()} stops it.
 */
public final class PreemptServer implements AutoCloseable {

    private static final String WEB = "/ai/preempt/server/web";
    private static final String VERDICT_HEADER = "X-Preempt-Verdict";
    private final ServerConfig cfg;
    private final Classifier classifier;
    private final ProtectionService service;
    private final ServerMetrics metrics = new ServerMetrics();
    private final BatchQueue queue;
    private final Uploads uploads;
    private final ImageDecoder decoder;
    private final ExecutorService responders;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final String docsPage;
    private final String openApi;
    private Javalin app;

    private PreemptServer(ServerConfig cfg, Classifier classifier) {
        this.cfg = cfg;
        this.classifier = classifier;
        this.service = new ProtectionService(classifier, cfg.robustify(), cfg.attackSteps(), cfg.batchInvariant(),
                ProtectionService.grouping(cfg.maxBatch()));
        this.queue = new BatchQueue(new BatchQueue.Limits(cfg.maxBatch(), cfg.maxBatchPixels()), cfg.maxWaitMs(),
                cfg.queueCapacity(), metrics);
        this.uploads = new Uploads(cfg.limits().maxBytes());
        this.decoder = new ImageDecoder(cfg.limits());
        this.responders = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
            Thread t = new Thread(r, "preempt-responder");
            t.setDaemon(true);
            return t;
        });
        this.docsPage = resource(WEB + "/docs.html").replace("{{swaggerUiVersion}}", swaggerUiVersion());
        this.openApi = resource("/ai/preempt/server/openapi.json");
    }

    /**
     * Loads the model and starts serving.
     *
     * @param cfg the settings
     * @return the running server
     * @throws ai.preempt.model.ModelException when the model cannot be loaded (before anything listens)
     */
    public static PreemptServer start(ServerConfig cfg) {
        Classifier f = Models.load(cfg.model());
        PreemptServer s = new PreemptServer(cfg, f);
        try {
            s.app = Javalin.create(s::configure).start(cfg.host(), cfg.port());
        } catch (RuntimeException e) {
            s.close();
            throw new IllegalStateException("could not listen on " + cfg.host() + ":" + cfg.port() + ": "
                    + rootMessage(e), e);
        }
        return s;
    }

    /** @return the port listened on */
    public int port() {
        return app.port();
    }

    /** @return the base URL, e.g. {@code http://127.0.0.1:8080} */
    public String url() {
        String host = cfg.host().contains(":") ? "[" + cfg.host() + "]" : cfg.host();
        return "http://" + host + ":" + port();
    }

    /** @return the served classifier's name */
    public String modelName() {
        return classifier.name();
    }

    /** @return the compute thread's time by phase since the server started */
    ComputeTime.Snapshot computeTime() {
        return metrics.compute().snapshot();
    }

    /** @return robustification steps (or whole batches) so far and the images they computed, summed */
    long[] robustifySteps() {
        return metrics.steps(service.robustify().name());
    }

    /** Blocks until {@link #close()} has been called. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Stops listening, fails waiting requests with 503 and frees the model. */
    @Override
    public void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        if (app != null) {
            app.stop();
        }
        queue.close();
        responders.shutdown();
        classifier.close();
        stopped.countDown();
    }

    private void configure(JavalinConfig c) {
        c.startup.showJavalinBanner = false;
        c.startup.showOldJavalinVersionWarning = false;
        c.http.prefer405over404 = true;
        // raw bodies are read through a bounded stream (Uploads); this caps Javalin's own readers
        c.http.maxRequestSize = cfg.limits().maxBytes() + 1024 * 1024;
        c.jetty.multipartConfig.maxFileSize(cfg.limits().maxBytes(), SizeUnit.BYTES);
        c.jetty.multipartConfig.maxTotalRequestSize(cfg.limits().maxBytes() + 64 * 1024, SizeUnit.BYTES);
        c.staticFiles.add(s -> {
            s.hostedPath = "/";
            s.directory = WEB;
            s.location = Location.CLASSPATH;
        });
        c.staticFiles.enableWebjars();
        c.requestLogger.http((ctx, ms) -> metrics.request(route(ctx), ctx.method().name(), ctx.statusCode(), ms));

        c.routes.get("/healthz", ctx -> json(ctx, 200, health()));
        c.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(metrics.scrape()));
        c.routes.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
        c.routes.get("/docs", ctx -> ctx.contentType("text/html; charset=utf-8").result(docsPage));
        c.routes.post("/v1/robustify", ctx -> enqueue(ctx, service.robustify(), this::answerRobustify));
        c.routes.post("/v1/classify", ctx -> enqueue(ctx, service.classify(),
                (x, r) -> json(x, 200, Json.classified(r, classifier.classes()))));
        c.routes.post("/v1/attack", ctx -> enqueue(ctx, service.attack(), (x, r) -> json(x, 200, Json.attacked(r))));

        c.routes.exception(ApiException.class, (e, ctx) -> error(ctx, e));
        c.routes.exception(HttpResponseException.class, (e, ctx) -> json(ctx, e.getStatus(), Json.error(e.getMessage())));
        c.routes.exception(Exception.class, (e, ctx) -> internalError(ctx, e));
        c.routes.error(404, ctx -> ctx.contentType("application/json")
                .result(Json.error("no such route: " + ctx.method().name() + " " + ctx.path())));
        c.routes.error(405, ctx -> ctx.contentType("application/json")
                .result(Json.error("method " + ctx.method().name() + " is not allowed on " + ctx.path())));
    }

    /** Decodes the upload, queues it, and answers asynchronously when its batch is done. */
    private <R> void enqueue(Context ctx, Operation<R> op, BiConsumer<Context, R> answer) {
        Image input = decoder.decode(uploads.read(ctx));
        ClientConnection client = ClientConnection.of(ctx);
        CompletableFuture<R> pending = queue.submit(op, input, client::gone);
        ctx.header("Connection", "close"); // see ClientConnection
        client.cancelOnDisconnect(pending);
        ctx.future(() -> pending.orTimeout(cfg.timeoutMs(), TimeUnit.MILLISECONDS).handleAsync((r, e) -> {
            try {
                if (e == null) {
                    answer.accept(ctx, r);
                } else {
                    failed(ctx, e);
                }
            } catch (RuntimeException ex) {
                internalError(ctx, ex);
            }
            return null;
        }, responders));
    }

    private void failed(Context ctx, Throwable e) {
        Throwable c = e instanceof CompletionException || e instanceof ExecutionException ? e.getCause() : e;
        if (c instanceof TimeoutException) {
            error(ctx, new ApiException(504, "the request was not finished within " + cfg.timeoutMs() + " ms"));
        } else if (c instanceof CancellationException) {
            json(ctx, 499, Json.error("the client closed the connection"));
        } else if (c instanceof ApiException a) {
            error(ctx, a);
        } else {
            internalError(ctx, c);
        }
    }

    private void answerRobustify(Context ctx, ProtectionService.Robustified r) {
        if ("json".equalsIgnoreCase(ctx.queryParam("format"))) {
            json(ctx, 200, Json.robustified(r));
        } else {
            ctx.header(VERDICT_HEADER, Json.write(r.verdict()));
            ctx.status(200).contentType("image/png").result(ai.preempt.data.ImageIo.toPngBytes(r.output()));
        }
    }

    private Map<String, Object> health() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "ok");
        m.put("model", classifier.name());
        m.put("inputShape", classifier.inputShape().getShape());
        m.put("classes", classifier.classes());
        m.put("queueDepth", queue.depth());
        m.put("maxBatch", cfg.maxBatch());
        m.put("maxBatchPixels", cfg.maxBatchPixels());
        m.put("fast", cfg.robustify().fast() != null);
        m.put("eps", cfg.robustify().eps());
        m.put("norm", cfg.robustify().norm() == ai.preempt.threat.Norm.LINF ? "linf" : "l2");
        return m;
    }

    private static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(body instanceof String s ? s : Json.write(body));
    }

    private static void error(Context ctx, ApiException e) {
        if (e.retryAfterSeconds() != null) {
            ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        json(ctx, e.status(), Json.error(e.getMessage()));
    }

    private static void internalError(Context ctx, Throwable e) {
        System.err.println("preempt-server: internal error on " + ctx.method().name() + " " + ctx.path() + ": "
                + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
        json(ctx, 500, Json.error("internal error"));
    }

    private static String route(Context ctx) {
        if (ctx.statusCode() == 404) {
            return "unmatched";
        }
        try {
            return ctx.endpoint().path;
        } catch (RuntimeException e) {
            return "static";
        }
    }

    private static String resource(String path) {
        try (InputStream in = PreemptServer.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("resource " + path + " is missing from the server jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String swaggerUiVersion() {
        try (InputStream in = PreemptServer.class.getResourceAsStream(
                "/META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            Properties p = new Properties();
            if (in == null) {
                throw new IllegalStateException("the swagger-ui webjar is missing from the class path");
            }
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return firstLine(c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage());
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}

package ai.preempt.server;

import io.javalin.http.Context;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;

/**
 * Notices a client that has gone before its answer is ready, so the batching queue drops its request instead of
 * computing it. Jetty reads nothing from a connection while its request is being handled, so it would learn of
 * a hang-up only when writing the answer: once the body is read, this class asks the end point to report the
 * next readable event, which for a client waiting for its answer is the end of its stream (a client that sends
 * more on the connection before its answer, i.e. pipelines, is treated as gone: no browser or common HTTP client
 * does). The answer then closes the connection ({@code Connection: close}), because Jetty would otherwise ask
 * for the next request on the same end point while this interest may still be pending. Jetty's request failure
 * listener and the connection's close event cancel too, and {@link #gone()} reports a closed end point.
 */
final class ClientConnection {

    private final Request request;

    private ClientConnection(Request request) {
        this.request = request;
    }

    /** @return the connection of {@code ctx}'s client */
    static ClientConnection of(Context ctx) {
        try {
            return new ClientConnection(ServletContextRequest.getServletContextRequest(ctx.req()));
        } catch (IllegalStateException | ClassCastException e) {
            return new ClientConnection(null);
        }
    }

    /**
     * Cancels {@code pending} when the client disconnects before it is done; call after the body has been read,
     * and answer with {@code Connection: close}.
     */
    void cancelOnDisconnect(CompletableFuture<?> pending) {
        if (request == null) {
            return;
        }
        request.getConnectionMetaData().getConnection().getEndPoint()
                .tryFillInterested(Callback.from(() -> pending.cancel(false), failure -> pending.cancel(false)));
        request.addFailureListener(failure -> pending.cancel(false));
        Connection connection = request.getConnectionMetaData().getConnection();
        Connection.Listener onClose = new Connection.Listener() {
            @Override
            public void onClosed(Connection c) {
                pending.cancel(false);
            }
        };
        connection.addEventListener(onClose);
        // connections outlive requests (keep-alive): forget the listener when this request completes
        Request.addCompletionListener(request, failure -> connection.removeEventListener(onClose));
    }

    /** @return true once the client's connection is closed */
    boolean gone() {
        return request != null && !request.getConnectionMetaData().getConnection().getEndPoint().isOpen();
    }
}

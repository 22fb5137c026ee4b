package ai.preempt.server;

import io.javalin.http.Context;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Request;

/**
 * Notices a client that has gone before its answer is ready: Jetty's request failure listener and the
 * connection's close event cancel the pending result, and {@link #gone()} reports a closed end point, so the
 * batching queue drops the request instead of computing it.
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

    /** Cancels {@code pending} when the client disconnects before it is done. */
    void cancelOnDisconnect(CompletableFuture<?> pending) {
        if (request == null) {
            return;
        }
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

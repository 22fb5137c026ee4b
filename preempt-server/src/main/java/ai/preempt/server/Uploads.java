package ai.preempt.server;

import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the uploaded image's bytes from a request: a raw body (image/png, image/jpeg, image/bmp,
 * application/octet-stream, or no content type) or a multipart form with the file in the field {@code image}.
 * Enforces the upload limit while reading (413) and answers other content types with 415.
 */
final class Uploads {

    /** The multipart field that holds the image. */
    static final String FIELD = "image";
    private static final Set<String> RAW_TYPES = Set.of("image/png", "image/jpeg", "image/jpg", "image/bmp",
            "image/x-ms-bmp", "application/octet-stream");
    /** Refused bodies up to this many times the limit are read and discarded before the 413 (see {@link #drain}). */
    private static final long DRAIN_FACTOR = 4;
    private final long maxBytes;

    Uploads(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** @return the image bytes of the request (possibly empty: the decoder answers that) */
    byte[] read(Context ctx) {
        String type = mediaType(ctx.contentType());
        if (type.equals("multipart/form-data")) {
            return readMultipart(ctx);
        }
        if (!type.isEmpty() && !RAW_TYPES.contains(type)) {
            throw new ApiException(415, "content type " + type + " is not accepted; send the image as image/png, "
                    + "image/jpeg, image/bmp or application/octet-stream, or as multipart/form-data field '" + FIELD + "'");
        }
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            drain(ctx, declared);
            throw tooLarge(declared);
        }
        try (InputStream in = ctx.bodyInputStream()) {
            return readBounded(in);
        } catch (IOException e) {
            throw new ApiException(400, "the upload could not be read: the connection failed or the body is incomplete");
        }
    }

    /**
     * Reads and discards a refused body of moderate size, so that the client, which is still sending it, reads the
     * 413 instead of a reset connection (a server that answers without reading the body closes the connection under
     * the client's upload). A body over {@link #DRAIN_FACTOR} times the limit is not read: its connection is closed.
     */
    private void drain(Context ctx, long declared) {
        if (declared > DRAIN_FACTOR * maxBytes) {
            return;
        }
        try (InputStream in = ctx.bodyInputStream()) {
            byte[] sink = new byte[64 * 1024];
            while (in.read(sink) >= 0) {
                // discard
            }
        } catch (IOException e) {
            // the client went away: nothing to answer
        }
    }

    private byte[] readMultipart(Context ctx) {
        UploadedFile file;
        try {
            file = ctx.uploadedFile(FIELD);
        } catch (Exception e) { // Jetty's multipart parser throws ServletException (unchecked through Kotlin)
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT).contains("exceed")) {
                    throw new ApiException(413, "the upload exceeds " + maxBytes + " bytes");
                }
            }
            throw new ApiException(400, "the multipart form cannot be parsed");
        }
        if (file == null) {
            throw new ApiException(400, "the multipart form has no file field '" + FIELD + "'");
        }
        if (file.size() > maxBytes) {
            throw tooLarge(file.size());
        }
        try (InputStream in = file.content()) {
            return readBounded(in);
        } catch (IOException e) {
            throw new ApiException(400, "the multipart field '" + FIELD + "' could not be read");
        }
    }

    private byte[] readBounded(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0;) {
            total += n;
            if (total > maxBytes) {
                throw tooLarge(total);
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private ApiException tooLarge(long bytes) {
        return new ApiException(413, "the upload has " + (bytes > maxBytes ? "more than " + maxBytes : bytes)
                + " bytes; at most " + maxBytes + " are accepted");
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }
}

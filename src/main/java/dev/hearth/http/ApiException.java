package dev.hearth.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A refusal that becomes the error envelope {@code {"error": message}} with the given HTTP status (SPEC §2).
 * Extra headers (Retry-After, Allow...) travel with it. Throwing one anywhere on a request path is the only
 * way code says "answer the client with this error"; the router turns it into the response.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final Map<String, String> headers = new LinkedHashMap<>();

    /**
     * Longest message sent back. Messages quote what the client sent (a name, a URL, an id); a client that sends a
     * megabyte there gets the start and the end of the message (which say what is wrong and what to do), not its
     * megabyte echoed.
     */
    static final int MAX_MESSAGE = 1_000;
    private static final int KEEP_END = 250;

    public ApiException(int status, String message) {
        super(cut(message), null, false, false);
        this.status = status;
    }

    private static String cut(String message) {
        if (message == null || message.length() <= MAX_MESSAGE) return message;
        int head = MAX_MESSAGE - KEEP_END - 40;
        return message.substring(0, head) + "… (" + (message.length() - head - KEEP_END) + " characters cut) …"
                + message.substring(message.length() - KEEP_END);
    }

    public int status() {
        return status;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public ApiException header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public static ApiException badRequest(String m) { return new ApiException(400, m); }
    public static ApiException unauthorized(String m) { return new ApiException(401, m); }
    public static ApiException forbidden(String m) { return new ApiException(403, m); }
    public static ApiException notFound(String m) { return new ApiException(404, m); }
    public static ApiException conflict(String m) { return new ApiException(409, m); }
    public static ApiException invalid(String m) { return new ApiException(422, m); }
}

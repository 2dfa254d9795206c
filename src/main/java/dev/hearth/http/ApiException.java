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

    public ApiException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
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

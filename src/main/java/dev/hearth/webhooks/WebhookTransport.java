package dev.hearth.webhooks;

import java.util.Map;

/**
 * Sends one webhook POST and says what came back. The gateway's implementation goes through the address
 * guard (no loopback, private or metadata addresses unless the operator allows them).
 */
@FunctionalInterface
public interface WebhookTransport {

    /** Returns the HTTP status; throws IOException when no answer came (refused, timeout, guard). */
    int post(String url, Map<String, String> headers, String jsonBody) throws java.io.IOException;
}

package dev.hearth.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;

/**
 * Answers the requests the server refuses before any route sees them (a request line or URI over the limit: 414,
 * headers over the limit: 431, a malformed request: 400) in the same JSON error envelope as everything else, not
 * with Helidon's plain-text page. Helidon reports headers over its size limit as a bare bad request, without a reason;
 * SPEC §2 promises 431 for them, so a bad request that {@link HelidonLog} saw refused for its header size is answered 431.
 */
final class JsonDirectHandler implements DirectHandler {

    /** RFC 6585's code, which Helidon's Status has no constant for. */
    static final Status HEADERS_TOO_LARGE = Status.create(431, "Request Header Fields Too Large");
    /** Helidon's default limit on the request line's headers (Http1Config.maxHeadersSize). */
    static final int MAX_HEADER_BYTES = 16_384;

    @Override
    public TransportResponse handle(TransportRequest request, EventType type, Status given, ServerResponseHeaders headers, String givenMessage) {
        boolean tooLarge = type == EventType.BAD_REQUEST && HelidonLog.takeHeadersTooLarge();
        Status status = tooLarge ? HEADERS_TOO_LARGE : given;
        String message = tooLarge ? "the request headers are over the server's limit of " + MAX_HEADER_BYTES + " bytes" : givenMessage;
        return TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                // the rest of an over-long header block is still unread: the connection cannot carry another request
                .keepAlive(type.keepAlive() && !tooLarge)
                .entity(Json.bytes(Json.object().put("error", new ApiException(status.code(),
                        message == null || message.isBlank() ? status.reasonPhrase() : status.reasonPhrase() + ": " + message).getMessage())))
                .build();
    }
}

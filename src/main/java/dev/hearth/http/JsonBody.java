package dev.hearth.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request body as a JSON object without ever buffering more than the configured limit: a declared
 * Content-Length over the limit is refused before reading, and a chunked body is cut off as soon as it
 * passes the limit (413). Content types other than JSON (or multipart/form-data where a route takes forms)
 * → 406; text that is not JSON, or a malformed form → 400.
 *
 * <p>A JSON body is parsed as it streams in, never first copied whole into memory, under Jackson's
 * {@link StreamReadConstraints}: a string longer than {@code maxStringChars}, a number of more than 1,000 digits or
 * nesting deeper than 200 levels stops the parse at that point (400), so the memory a hostile body costs is bounded
 * by these limits, not by the body's size. Numbers whose exponent no number type holds are refused here too (422
 * naming the field, {@link NumberRange}).
 */
public final class JsonBody {

    private final long maxBytes;
    private final long maxItemBytes;
    private final int maxStringChars;
    /** {@link Json#MAPPER}'s settings with this body's string limit. */
    private final ObjectMapper mapper;

    /** Strings as long as the body itself may be. */
    public JsonBody(long maxBytes) {
        this(maxBytes, maxBytes);
    }

    /**
     * {@code maxItemBytes}: the largest media item a field may carry (storage.max_item_bytes). The longest string
     * a field can then legitimately hold is that item as a base64 data: URL (4/3 of its bytes, plus its prefix);
     * the parser stops at a longer one, so a hostile body's string costs at most that.
     */
    public JsonBody(long maxBytes, long maxItemBytes) {
        this.maxBytes = maxBytes;
        this.maxItemBytes = maxItemBytes;
        this.maxStringChars = (int) Math.min(Integer.MAX_VALUE - 1024, (maxItemBytes + 2) / 3 * 4) + 1024;
        this.mapper = Json.MAPPER.copy();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(maxStringChars).maxNestingDepth(Json.MAX_NESTING)
                .maxNumberLength(NumberRange.MAX_EXPONENT).build());
    }

    public ObjectNode read(ServerRequest req) {
        checkContentType(req, false);
        return parse(req);
    }

    /** A body that was JSON or {@code multipart/form-data}; {@code form} is null for JSON. */
    public record Parsed(ObjectNode body, MultipartForm form) {
        public boolean isForm() {
            return form != null;
        }
    }

    /**
     * Reads a JSON object or a multipart form (SPEC §3.1) within the same size limit. A form's object has text
     * values (file parts as data: URLs); give it to {@link FormFields#coerce} with the schema it is meant for.
     */
    public Parsed readJsonOrForm(ServerRequest req) {
        String type = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        if (MultipartForm.isMultipart(type)) {
            MultipartForm form = MultipartForm.parse(type, readBytes(req));
            return new Parsed(form.toObjectNode(), form);
        }
        checkContentType(req, true);
        return new Parsed(parse(req), null);
    }

    private ObjectNode parse(ServerRequest req) {
        long declared = req.headers().contentLength().orElse(-1);
        if (declared > maxBytes) throw tooLarge();
        try (var watched = reading(req); InputStream in = new BoundedInput(req.content().inputStream(), watched)) {
            return parse(in);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw HttpFront.requestUnreadable(e);
        }
    }

    /** Parses one JSON object from {@code in} under this body's limits (public for the parser's own tests). */
    public ObjectNode parse(InputStream in) {
        JsonNode node;
        JsonParser parser = null;
        try {
            parser = mapper.createParser(in);
            node = mapper.readTree(parser);
        } catch (StreamConstraintsException e) {
            // an over-long string is an over-large item (SPEC §8: 413); too deep or too long a number is malformed (400)
            if (e.getOriginalMessage().startsWith("String value length")) {
                // the parser stands in the array or object holding the string: its path names the field
                String where = parser == null ? "$" : NumberRange.path(parser.getParsingContext());
                throw new ApiException(413, where + ": a string longer than " + maxStringChars + " characters is over the limit of "
                        + maxItemBytes + " bytes per item (as base64 text)");
            }
            throw ApiException.badRequest("The request body is not valid JSON: "
                    + e.getOriginalMessage().replaceAll(", from `?StreamReadConstraints\\.\\w+\\(\\)`?", ""));
        } catch (JsonProcessingException e) {
            // a broken constraint (JSON nested deeper than Json.MAPPER allows) has no location
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw ApiException.badRequest("The request body is not valid JSON: " + e.getOriginalMessage() + where);
        } catch (IOException e) {
            throw HttpFront.requestUnreadable(e);
        }
        if (node == null || node.isMissingNode()) throw ApiException.badRequest("The request body is empty; send a JSON object");
        if (!node.isObject()) throw ApiException.badRequest("The request body must be a JSON object, got " + describe(node));
        NumberRange.check(node);
        return (ObjectNode) node;
    }

    private static String describe(JsonNode n) {
        return n == null ? "nothing" : n.getNodeType().name().toLowerCase();
    }

    private void checkContentType(ServerRequest req, boolean formsToo) {
        String type = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("").toLowerCase();
        if (type.isEmpty() || type.startsWith("application/json") || type.matches("application/[a-z0-9.+-]*\\+json.*")) return;
        throw new ApiException(406, "Content-Type '" + type + "' is not accepted; send application/json"
                + (formsToo ? " or multipart/form-data" : ""));
    }

    private byte[] readBytes(ServerRequest req) {
        long declared = req.headers().contentLength().orElse(-1);
        if (declared > maxBytes) throw tooLarge();
        try (var watched = reading(req); InputStream in = req.content().inputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(declared, 1024), 1 << 20));
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                watched.progress();
                total += n;
                if (total > maxBytes) throw tooLarge();
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw HttpFront.requestUnreadable(e);
        }
    }

    /** The request's bytes, cut off with a 413 as soon as they pass the limit; each read counts as progress. */
    private final class BoundedInput extends java.io.FilterInputStream {
        private final ConnectionDeadlines.Reading watched;
        private long total;

        BoundedInput(InputStream in, ConnectionDeadlines.Reading watched) {
            super(in);
            this.watched = watched;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count(1);
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) count(n);
            return n;
        }

        private void count(int n) {
            watched.progress();
            total += n;
            if (total > maxBytes) throw tooLarge();
        }
    }

    /** While the body is read, the connection's deadlines time its pauses (408 after too long a silence). */
    private static ConnectionDeadlines.Reading reading(ServerRequest req) {
        return ConnectionDeadlines.reading(req.localPeer().address(), req.remotePeer().address());
    }

    private ApiException tooLarge() {
        // Closing the connection stops the client from sending the rest of a huge body.
        return new ApiException(413, "The request body is over the limit of " + maxBytes + " bytes")
                .header("Connection", "close");
    }
}

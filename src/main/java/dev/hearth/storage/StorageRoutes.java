package dev.hearth.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.AllowedMethods;
import dev.hearth.http.ApiException;
import dev.hearth.http.Caller;
import dev.hearth.http.Json;
import dev.hearth.http.JsonBody;
import dev.hearth.http.MultipartForm;
import dev.hearth.http.Replies;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Storage over HTTP (SPEC §8): {@code POST /upload-asset} (and {@code /v1/upload-asset}) with
 * {@code {"data_urls": [...]}} or a multipart form of files; {@code GET /v1/assets} and {@code DELETE /v1/assets/{id}}
 * for the owner; and the files themselves at {@code /assets/{id}} and {@code /outputs/{id}}, fetched without a key
 * (the id is the capability) and served so that nothing stored can run script on Hearth's origin.
 */
public final class StorageRoutes implements HttpService {

    private final Caller caller;
    private final Storage storage;
    private final JsonBody body;
    private final Function<ServerRequest, String> base;

    /** {@code base} gives {@code <base>} of a request (SPEC §3.2), under which file URLs are handed out. */
    public StorageRoutes(Caller caller, Storage storage, JsonBody uploadBody, Function<ServerRequest, String> base) {
        this.caller = caller;
        this.storage = storage;
        this.body = uploadBody;
        this.base = base;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/upload-asset", this::upload);
        rules.post("/v1/upload-asset", this::upload);
        rules.post("/inference-request/input-upload", this::inputUpload);
        AllowedMethods.only(rules, "/inference-request/input-upload", Method.POST);
        rules.get("/v1/assets", this::list);
        rules.delete("/v1/assets/{id}", (req, res) -> {
            String account = caller.account(req).accountId();
            String id = stripExtension(req.path().pathParameters().get("id"));
            if (!storage.delete(account, id)) throw ApiException.notFound("Asset " + id + " not found");
            Replies.ok(res, Json.object().put("id", id).put("deleted", true));
        });
        for (StoredObject.Kind kind : StoredObject.Kind.values()) {
            Handler serve = (req, res) -> serve(req, res, kind);
            rules.route(Method.GET, kind.pathPrefix() + "{file}", serve);
            rules.route(Method.HEAD, kind.pathPrefix() + "{file}", serve);
        }
    }

    private void upload(ServerRequest req, ServerResponse res) {
        String account = caller.account(req).accountId();
        JsonBody.Parsed parsed = body.readJsonOrForm(req);
        store(req, res, account, parsed.isForm() ? fromForm(parsed.form()) : fromJson(parsed.body()));
    }

    /**
     * Segmind's older upload (in its SDK's OpenAPI file): a multipart form with one file part named {@code file},
     * stored as an asset; the answer is {@code /upload-asset}'s.
     */
    private void inputUpload(ServerRequest req, ServerResponse res) {
        String account = caller.account(req).accountId();
        JsonBody.Parsed parsed = body.readJsonOrForm(req);
        if (!parsed.isForm()) {
            throw ApiException.invalid("$.file: send the file as multipart/form-data with one file part named 'file' "
                    + "(JSON data: URLs go to POST /upload-asset)");
        }
        List<MultipartForm.Part> files = parsed.form().parts().stream().filter(p -> p.name().equals("file") && p.isFile()).toList();
        if (files.size() != 1) {
            throw ApiException.invalid("$.file: the form must have exactly one file part named 'file' (it has " + files.size() + ")");
        }
        MultipartForm.Part file = files.getFirst();
        store(req, res, account, List.of(new Storage.Upload("$.file", file.bytes(), file.contentType())));
    }

    private void store(ServerRequest req, ServerResponse res, String account, List<Storage.Upload> items) {
        List<StoredObject> stored = storage.upload(account, items);
        String base = this.base.apply(req);
        ArrayNode urls = Json.MAPPER.createArrayNode();
        stored.forEach(o -> urls.add(o.url(base)));
        ObjectNode reply = Json.object();
        reply.set("urls", urls);
        reply.set("file_urls", urls.deepCopy());
        ArrayNode ids = reply.putArray("ids");
        stored.forEach(o -> ids.add(o.id()));
        Replies.ok(res, reply);
    }

    private List<Storage.Upload> fromJson(ObjectNode b) {
        JsonNode list = b.get("data_urls");
        if (list == null) throw ApiException.invalid("$.data_urls: is required (a list of data: URLs or base64 strings)");
        if (list.isTextual()) list = Json.MAPPER.createArrayNode().add(list);
        if (!list.isArray()) throw ApiException.invalid("$.data_urls: must be a list of data: URLs");
        long max = storage.settings().maxItemBytes();
        long total = 0;
        List<Storage.Upload> items = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "$.data_urls[" + i + "]";
            JsonNode item = list.get(i);
            if (!item.isTextual()) throw ApiException.invalid(path + ": must be a string (a data: URL or base64)");
            DataUrls.Decoded d;
            try {
                d = DataUrls.decode(item.asText().trim(), max);
            } catch (BadMedia e) {
                throw e.tooLarge() ? new ApiException(413, path + ": " + e.getMessage()) : ApiException.invalid(path + ": " + e.getMessage());
            }
            total += d.bytes().length;
            if (total > storage.settings().maxRequestBytes()) {
                throw new ApiException(413, "The files add up to more than the limit of " + storage.settings().maxRequestBytes()
                        + " bytes per upload request (reached at " + path + "); send them in several requests");
            }
            items.add(new Storage.Upload(path, d.bytes(), d.declaredType()));
        }
        return items;
    }

    /**
     * Every file part is an item; text parts named data_urls are data: URLs or base64, as in JSON. Items are
     * named in errors the way the form reads as JSON: {@code $.file}, or {@code $.file[1]} for a repeated field.
     */
    private List<Storage.Upload> fromForm(MultipartForm form) {
        java.util.Map<String, Long> counts = new java.util.HashMap<>();
        form.parts().forEach(p -> counts.merge(bare(p.name()), 1L, Long::sum));
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        List<Storage.Upload> items = new ArrayList<>();
        for (MultipartForm.Part p : form.parts()) {
            String name = bare(p.name());
            int k = seen.merge(name, 1, Integer::sum) - 1;
            String path = "$." + name + (counts.get(name) > 1 || p.name().endsWith("[]") ? "[" + k + "]" : "");
            if (p.isFile()) {
                items.add(new Storage.Upload(path, p.bytes(), p.contentType()));
            } else if (name.equals("data_urls")) {
                try {
                    DataUrls.Decoded d = DataUrls.decode(p.text().trim(), storage.settings().maxItemBytes());
                    items.add(new Storage.Upload(path, d.bytes(), d.declaredType()));
                } catch (BadMedia e) {
                    throw e.tooLarge() ? new ApiException(413, path + ": " + e.getMessage()) : ApiException.invalid(path + ": " + e.getMessage());
                }
            }
        }
        if (items.isEmpty()) throw ApiException.invalid("$.data_urls: the form has no file parts; attach at least one file");
        return items;
    }

    private static String bare(String name) {
        return name.endsWith("[]") ? name.substring(0, name.length() - 2) : name;
    }

    private void list(ServerRequest req, ServerResponse res) {
        String account = caller.account(req).accountId();
        String kindParam = req.query().first("kind").orElse("asset");
        StoredObject.Kind kind = switch (kindParam) {
            case "asset" -> StoredObject.Kind.ASSET;
            case "output" -> StoredObject.Kind.OUTPUT;
            case "all" -> null;
            default -> throw ApiException.invalid("$.kind: must be asset, output or all");
        };
        int limit = intParam(req, "limit", 100, 1, 1000);
        int offset = intParam(req, "offset", 0, 0, Integer.MAX_VALUE);
        List<StoredObject> page = storage.list(account, kind, limit + 1, offset);
        String base = this.base.apply(req);
        ArrayNode assets = Json.MAPPER.createArrayNode();
        page.stream().limit(limit).forEach(o -> assets.add(o.toJson(base)));
        ObjectNode reply = Json.object();
        reply.set("assets", assets);
        reply.put("has_more", page.size() > limit);
        reply.put("used_bytes", storage.uploadedBytes(account));
        reply.put("quota_bytes", storage.settings().maxAccountBytes());
        Replies.ok(res, reply);
    }

    private static int intParam(ServerRequest req, String name, int dflt, int min, int max) {
        String v = req.query().first(name).orElse(null);
        if (v == null) return dflt;
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.invalid("$." + name + ": must be an integer from " + min + " to " + max);
        }
    }

    /**
     * Serves a stored file to anyone holding its URL. The type is the sniffed one; types a browser could run
     * script from are sent as application/octet-stream attachments, and every file carries nosniff and a
     * sandbox CSP so even a mistaken type cannot act on Hearth's origin.
     */
    private void serve(ServerRequest req, ServerResponse res, StoredObject.Kind kind) {
        String id = stripExtension(req.path().pathParameters().get("file"));
        StoredObject o = storage.find(id, kind).orElseThrow(() -> notFound(kind, id));
        MediaType type = o.mediaType();
        boolean head = req.prologue().method() == Method.HEAD;
        InputStream in = null;
        try {
            // opened before any header is set, so a file gone from disk is still a clean 404
            if (!head) in = storage.open(o);
        } catch (NoSuchFileException e) {
            throw notFound(kind, id);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        res.header(HeaderNames.CONTENT_TYPE, type.servedType());
        res.header("X-Content-Type-Options", "nosniff");
        res.header("Content-Security-Policy", "sandbox");
        res.header("Referrer-Policy", "no-referrer");
        res.header("Cache-Control", "private, max-age=3600");
        res.header(HeaderNames.ETAG, "\"" + o.sha256() + "\"");
        String filename = o.id() + (type.ext().isEmpty() ? "" : "." + type.ext());
        if (!type.inline()) res.header("Content-Disposition", "attachment; filename=\"" + filename + "\"");
        res.header(HeaderNames.CONTENT_LENGTH, Long.toString(o.size()));
        if (head) {
            res.status(Status.OK_200);
            res.send();
            return;
        }
        try (InputStream file = in; OutputStream out = res.outputStream()) {
            file.transferTo(out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ApiException notFound(StoredObject.Kind kind, String id) {
        return ApiException.notFound((kind == StoredObject.Kind.ASSET ? "Asset " : "Output ") + id + " not found");
    }

    private static String stripExtension(String file) {
        int dot = file == null ? -1 : file.indexOf('.');
        return dot < 0 ? file : file.substring(0, dot);
    }
}

package dev.hearth.runners.cog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;
import dev.hearth.net.Outbound;
import dev.hearth.runners.RunOutput;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Turns a finished Cog prediction into a Hearth output. A file output (a {@code data:} URL, or an http(s)
 * URL where the worker uploaded it) becomes the media output of a model whose catalog output is a media
 * type; when a prediction returns several files the first is the output. Other outputs are JSON: an object
 * as it is, anything else as {@code {"output": ...}}. {@code metrics.predict_time} becomes the reported
 * processing time, and {@code metrics.billable_units} (or Cog LLMs' input + output token counts) the units.
 */
public final class CogOutputs {

    /** The most bytes fetched for one output file at a URL. */
    static final long MAX_FILE_BYTES = 256L << 20;

    private final Outbound http;

    public CogOutputs(Outbound http) {
        this.http = http;
    }

    public RunOutput convert(JsonNode prediction, String catalogOutput) throws IOException, InterruptedException {
        JsonNode metrics = prediction.path("metrics");
        Long reported = metrics.path("predict_time").isNumber() ? Math.round(metrics.path("predict_time").asDouble() * 1000) : null;
        long units = metrics.path("billable_units").asLong(
                metrics.path("input_token_count").asLong(0) + metrics.path("output_token_count").asLong(0));
        JsonNode output = prediction.get("output");
        boolean mediaModel = !catalogOutput.startsWith("application/json");
        List<String> files = files(output);
        if (mediaModel && !files.isEmpty()) {
            Fetched f = fetch(files.getFirst());
            String type = f.contentType() == null || f.contentType().isBlank() ? catalogOutput : f.contentType();
            return new RunOutput.Media(f.bytes(), type, reported);
        }
        if (mediaModel) throw new IOException("the worker returned no file for a model whose output is " + catalogOutput);
        JsonNode body = output != null && output.isObject() ? output : Json.object().set("output", output);
        return new RunOutput.Json(body, units, reported);
    }

    static List<String> files(JsonNode output) {
        List<String> out = new ArrayList<>();
        if (output == null) return out;
        if (output.isTextual() && isFile(output.asText())) out.add(output.asText());
        else if (output.isArray()) output.forEach(e -> {
            if (e.isTextual() && isFile(e.asText())) out.add(e.asText());
        });
        return out;
    }

    static boolean isFile(String s) {
        return s.startsWith("data:") || s.startsWith("http://") || s.startsWith("https://");
    }

    record Fetched(byte[] bytes, String contentType) {
    }

    Fetched fetch(String ref) throws IOException, InterruptedException {
        if (ref.startsWith("data:")) return dataUrl(ref);
        try (Outbound.Answer r = http.get(URI.create(ref), Map.of(), Duration.ofSeconds(120)); InputStream in = r.body()) {
            if (r.status() != 200) throw new IOException("fetching the output file " + ref + " answered HTTP " + r.status());
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, MAX_FILE_BYTES + 1));
            if (bytes.length > MAX_FILE_BYTES) throw new IOException("the output file at " + ref + " is over " + MAX_FILE_BYTES + " bytes");
            String type = r.header("content-type");
            return new Fetched(bytes, type == null ? null : type.split(";")[0].trim());
        }
    }

    /** {@code data:[<type>][;base64],<data>} (RFC 2397). */
    static Fetched dataUrl(String ref) throws IOException {
        int comma = ref.indexOf(',');
        if (comma < 0) throw new IOException("the worker returned a data URL without a comma");
        String meta = ref.substring(5, comma);
        String data = ref.substring(comma + 1);
        boolean base64 = meta.endsWith(";base64");
        String type = (base64 ? meta.substring(0, meta.length() - 7) : meta).split(";")[0].trim();
        try {
            byte[] bytes = base64 ? Base64.getDecoder().decode(data.trim())
                    : URLDecoder.decode(data, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
            return new Fetched(bytes, type.isEmpty() ? null : type);
        } catch (IllegalArgumentException e) {
            throw new IOException("the worker returned a data URL that is not valid base64: " + e.getMessage());
        }
    }

    /** The message of a failed prediction, or of a 422 answer (pydantic's {@code detail} list or a string). */
    static String detail(JsonNode body, String text) {
        if (body == null) return text.length() > 500 ? text.substring(0, 500) : text;
        if (body.hasNonNull("error")) return body.get("error").asText();
        JsonNode d = body.get("detail");
        if (d == null) return Json.text(body);
        if (d.isTextual()) return d.asText();
        List<String> parts = new ArrayList<>();
        for (JsonNode e : d) {
            List<String> loc = new ArrayList<>();
            e.path("loc").forEach(l -> loc.add(l.asText()));
            // pydantic's location starts with "body", "input": what is left is the parameter's name
            String where = String.join(".", loc.size() > 2 && loc.get(0).equals("body") && loc.get(1).equals("input") ? loc.subList(2, loc.size()) : loc);
            parts.add((where.isEmpty() ? "" : where + ": ") + e.path("msg").asText(Json.text(e)));
        }
        return String.join("; ", parts);
    }

    static ObjectNode emptyInput() {
        return Json.object();
    }
}

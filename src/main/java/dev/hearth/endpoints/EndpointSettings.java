package dev.hearth.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.ApiException;

/**
 * The settings of an endpoint as a client sends them (SPEC §9), read and range-checked field by field: a bad
 * field is a 422 naming it. On update, fields left out keep the endpoint's current values.
 */
record EndpointSettings(String name, String modelName, int workersMin, int workersMax, int idleTimeout, int executionTimeout,
                        String scalerType, int scalerValue, String gpuId) {

    static final String REQUEST_COUNT = "REQUEST_COUNT";
    static final int MAX_WORKERS = 10;

    /** A new endpoint: {@code endpoint_name} and {@code model_name} are required, the rest has defaults. */
    static EndpointSettings create(ObjectNode b, int modelExecutionTimeout) {
        return read(b, new EndpointSettings(null, null, 0, 1, 300, modelExecutionTimeout, REQUEST_COUNT, 1, "cpu"));
    }

    /** An update of {@code current}: only the fields present change. */
    static EndpointSettings update(ObjectNode b, Endpoint current) {
        return read(b, new EndpointSettings(current.name(), current.modelName(), current.workersMin(), current.workersMax(),
                current.idleTimeout(), current.executionTimeout(), current.scalerType(), current.scalerValue(), current.gpuId()));
    }

    private static EndpointSettings read(ObjectNode b, EndpointSettings d) {
        String name = text(b, "endpoint_name", d.name);
        String model = text(b, "model_name", d.modelName);
        int min = integer(b, "workers_min", d.workersMin, 0, MAX_WORKERS);
        int max = integer(b, "workers_max", d.workersMax, 1, MAX_WORKERS);
        if (min > max) throw ApiException.invalid("$.workers_min: " + min + " is above workers_max (" + max + ")");
        int idle = integer(b, "idle_timeout", d.idleTimeout, 1, 86_400);
        int exec = integer(b, "execution_timeout", d.executionTimeout, 1, 3_600);
        String scaler = text(b, "scaler_type", d.scalerType);
        if (!REQUEST_COUNT.equals(scaler)) throw ApiException.invalid("$.scaler_type: only REQUEST_COUNT is supported, not '" + scaler + "'");
        int value = integer(b, "scaler_value", d.scalerValue, 1, 1_000);
        String gpu = text(b, "gpu_id", d.gpuId);
        return new EndpointSettings(name, model, min, max, idle, exec, scaler, value, gpu);
    }

    private static String text(ObjectNode b, String field, String fallback) {
        JsonNode v = b.get(field);
        if (v == null || v.isNull()) {
            if (fallback == null) throw ApiException.invalid("$." + field + ": required");
            return fallback;
        }
        if (!v.isTextual() || v.asText().isBlank()) throw ApiException.invalid("$." + field + ": must be a non-empty string");
        return v.asText();
    }

    private static int integer(ObjectNode b, String field, int fallback, int min, int max) {
        JsonNode v = b.get(field);
        if (v == null || v.isNull()) {
            if (fallback < min || fallback > max) throw ApiException.invalid("$." + field + ": must be between " + min + " and " + max);
            return fallback;
        }
        if (!v.isIntegralNumber()) throw ApiException.invalid("$." + field + ": must be an integer");
        // an integer past int's range is out of range, not "not an integer"
        if (!v.canConvertToInt()) throw ApiException.invalid("$." + field + ": must be between " + min + " and " + max + ", not " + v.asText());
        int n = v.asInt();
        if (n < min || n > max) throw ApiException.invalid("$." + field + ": must be between " + min + " and " + max + ", not " + n);
        return n;
    }
}

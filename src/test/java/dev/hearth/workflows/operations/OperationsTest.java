package dev.hearth.workflows.operations;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.catalog.InputValidator;
import dev.hearth.http.ApiException;
import dev.hearth.http.Json;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The registry, and that every operation's params schema is one the catalog's validator compiles and enforces. */
class OperationsTest {

    @Test
    void findsEachOperationByNameInAStableOrder() {
        Operations ops = Operations.builtIn();
        List<String> names = ops.all().stream().map(Operation::name).toList();
        assertThat(names).containsExactly("text_template", "text_concat", "json_pick", "cosine_similarity",
                "image_resize", "image_crop", "image_convert", "image_composite");
        assertThat(ops.all().stream().map(Operation::name).toList()).isEqualTo(names);
        for (Operation op : ops.all()) assertThat(ops.find(op.name())).containsSame(op);
        assertThat(ops.find("no_such")).isEmpty();
        assertThat(ops.find(null)).isEmpty();
    }

    @Test
    void portsHaveDistinctNamesAndEveryOperationHasAnOutput() {
        for (Operation op : Operations.builtIn().all()) {
            Set<String> in = new HashSet<>();
            for (Port p : op.inputs()) assertThat(in.add(p.name())).as(op.name() + " input " + p.name()).isTrue();
            Set<String> out = new HashSet<>();
            for (Port p : op.outputs()) assertThat(out.add(p.name())).as(op.name() + " output " + p.name()).isTrue();
            assertThat(op.outputs()).as(op.name()).isNotEmpty();
            assertThat(op.title()).isNotBlank();
        }
    }

    @Test
    void everySchemaCompilesAcceptsGoodParamsAndRejectsAnUnknownOne() {
        for (Operation op : Operations.builtIn().all()) {
            ObjectNode schema = op.paramsSchema();
            assertThat(schema.path("type").asText()).as(op.name()).isEqualTo("object");
            InputValidator v = new InputValidator(schema);
            ObjectNode bad = good(op.name()).put("no_such_param", 1);
            assertThatThrownBy(() -> v.validate(bad)).as(op.name()).isInstanceOf(ApiException.class)
                    .hasMessageContaining("no_such_param");
            v.validate(good(op.name()));
        }
    }

    @Test
    void schemasCheckTypesRangesAndRequiredFields() {
        assertThatThrownBy(() -> validate("text_template", Json.object())).hasMessageContaining("$.template: is required");
        assertThatThrownBy(() -> validate("text_template", Json.object().put("template", 3))).hasMessageContaining("$.template");
        assertThatThrownBy(() -> validate("text_concat", Json.object().put("separator", false))).hasMessageContaining("$.separator");
        assertThatThrownBy(() -> validate("json_pick", Json.object())).hasMessageContaining("$.path: is required");
        assertThatThrownBy(() -> validate("image_resize", Json.object())).hasMessageContaining("Invalid parameters");
        assertThatThrownBy(() -> validate("image_resize", Json.object().put("width", 8193))).hasMessageContaining("$.width");
        assertThatThrownBy(() -> validate("image_resize", Json.object().put("width", 10).put("fit", "stretch"))).hasMessageContaining("$.fit");
        assertThatThrownBy(() -> validate("image_crop", Json.object().put("width", 10))).hasMessageContaining("$.height: is required");
        assertThatThrownBy(() -> validate("image_convert", Json.object().put("format", "png").put("quality", 0))).hasMessageContaining("$.quality");
        assertThatThrownBy(() -> validate("image_composite", Json.object().put("opacity", 1.5))).hasMessageContaining("$.opacity");
        // defaults are filled in like a model's
        assertThat(validate("image_composite", Json.object()).path("opacity").asDouble()).isEqualTo(1.0);
        assertThat(validate("image_convert", Json.object().put("format", "webp")).path("quality").asInt()).isEqualTo(90);
        assertThat(validate("text_concat", Json.object()).path("separator").isTextual()).isTrue();
    }

    @Test
    void theSchemaHandedOutIsACopy() {
        Operation op = Operations.builtIn().find("text_template").orElseThrow();
        op.paramsSchema().put("type", "string");
        assertThat(op.paramsSchema().path("type").asText()).isEqualTo("object");
    }

    static ObjectNode validate(String name, ObjectNode params) {
        return new InputValidator(Operations.builtIn().find(name).orElseThrow().paramsSchema()).validate(params);
    }

    /** Params each operation accepts. */
    static ObjectNode good(String name) {
        return switch (name) {
            case "text_template" -> Json.object().put("template", "{{a}}");
            case "json_pick" -> Json.object().put("path", "/a");
            case "image_resize" -> Json.object().put("width", 10);
            case "image_crop" -> Json.object().put("width", 10).put("height", 10);
            case "image_convert" -> Json.object().put("format", "png");
            default -> Json.object();
        };
    }

}

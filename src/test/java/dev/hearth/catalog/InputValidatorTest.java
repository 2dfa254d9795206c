package dev.hearth.catalog;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.ApiException;
import dev.hearth.http.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The validator checks the parsed body itself (copied into the schema library's tree, never re-parsed from
 * text): every kind of JSON value must arrive as what it is, and the 422 names each field by its JSON path.
 */
class InputValidatorTest {

    static ObjectNode json(String text) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static final InputValidator VALIDATOR = new InputValidator(json("""
            {"type": "object", "required": ["prompt"], "additionalProperties": false,
             "properties": {
               "prompt": {"type": "string", "minLength": 1},
               "steps": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
               "guidance": {"type": "number", "exclusiveMaximum": 30},
               "seed": {"type": "integer"},
               "flags": {"type": "array", "items": {"type": "boolean"}},
               "extra": {"type": ["object", "null"]}
             }}"""));

    @Test
    void aValidBodyPassesWithItsValuesAsGivenAndDefaultsFilledIn() {
        ObjectNode out = VALIDATOR.validate(json("""
                {"prompt": "a cat", "guidance": 7.5, "seed": 12345678901, "flags": [true, false], "extra": null}"""));
        assertThat(out.get("steps").asInt()).isEqualTo(20);
        assertThat(out.get("seed").asLong()).isEqualTo(12345678901L);
        assertThat(out.get("guidance").asDouble()).isEqualTo(7.5);
    }

    @Test
    void eachKindOfValueIsCheckedAsWhatItIs() {
        assertThatThrownBy(() -> VALIDATOR.validate(json("{\"steps\": 5}")))
                .isInstanceOf(ApiException.class).hasMessageContaining("$.prompt: is required");
        assertThatThrownBy(() -> VALIDATOR.validate(json("{\"prompt\": \"x\", \"steps\": 2.5}")))
                .hasMessageContaining("$.steps");
        assertThatThrownBy(() -> VALIDATOR.validate(json("{\"prompt\": \"x\", \"steps\": 123456789012345678901234567890}")))
                .hasMessageContaining("$.steps");
        assertThatThrownBy(() -> VALIDATOR.validate(json("{\"prompt\": \"x\", \"guidance\": 30}")))
                .hasMessageContaining("$.guidance");
        assertThatThrownBy(() -> VALIDATOR.validate(json("{\"prompt\": \"x\", \"flags\": [true, \"no\"]}")))
                .hasMessageContaining("$.flags[1]");
        assertThatThrownBy(() -> VALIDATOR.validate(json("{\"prompt\": 7}")))
                .hasMessageContaining("$.prompt");
        assertThatThrownBy(() -> VALIDATOR.validate(json("{\"prompt\": \"x\", \"extra\": []}")))
                .hasMessageContaining("$.extra");
        assertThatThrownBy(() -> VALIDATOR.validate(json("{\"prompt\": \"x\", \"unknown\": 1}")))
                .hasMessageContaining("unknown");
    }
}

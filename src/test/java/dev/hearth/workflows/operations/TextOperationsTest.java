package dev.hearth.workflows.operations;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TextOperationsTest {

    static final Operation TEMPLATE = Operations.builtIn().find("text_template").orElseThrow();
    static final Operation CONCAT = Operations.builtIn().find("text_concat").orElseThrow();

    static Value.Text text(String s) {
        return new Value.Text(s);
    }

    static String out(Map<String, Value> result) {
        return ((Value.Text) result.get("text")).text();
    }

    @Test
    void templateFillsEachPlaceholderEveryTimeItAppears() throws Exception {
        ObjectNode p = Json.object().put("template", "Q: {{a}}\nContext: {{ b }}\nAgain: {{a}} ($1 \\n literal)");
        String r = out(TEMPLATE.run(Map.of("a", text("why $2?"), "b", text("sky {{c}}")), p));
        // replacement text is literal: no regex group references, no recursive expansion of {{c}} inside an input
        assertThat(r).isEqualTo("Q: why $2?\nContext: sky {{c}}\nAgain: why $2? ($1 \\n literal)");
    }

    @Test
    void aPlaceholderWhosePortIsNotWiredFailsNamingIt() {
        ObjectNode p = Json.object().put("template", "{{a}} and {{c}}");
        assertThatThrownBy(() -> TEMPLATE.run(Map.of("a", text("x")), p))
                .isInstanceOf(OperationFailure.class).hasMessageContaining("{{c}}").hasMessageContaining("not wired");
    }

    @Test
    void anUnknownPlaceholderFailsNamingIt() {
        ObjectNode p = Json.object().put("template", "Hello {{name}}");
        assertThatThrownBy(() -> TEMPLATE.run(Map.of("a", text("x")), p))
                .isInstanceOf(OperationFailure.class).hasMessageContaining("{{name}}").hasMessageContaining("names no input");
    }

    @Test
    void templateWithoutTheTemplateParamIsRefused() {
        assertThatThrownBy(() -> TEMPLATE.run(Map.of("a", text("x")), Json.object()))
                .isInstanceOf(OperationFailure.class).hasMessageContaining("$.template");
    }

    @Test
    void concatJoinsWiredInputsInPortOrderWithTheSeparator() throws Exception {
        Map<String, Value> in = Map.of("d", text("4"), "a", text("1"), "c", text("3"));
        assertThat(out(CONCAT.run(in, Json.object().put("separator", ", ")))).isEqualTo("1, 3, 4");
        assertThat(out(CONCAT.run(in, Json.object()))).isEqualTo("134");
        assertThat(out(CONCAT.run(Map.of("a", text("only")), Json.object().put("separator", "-")))).isEqualTo("only");
    }

    @Test
    void concatNeedsA() {
        assertThatThrownBy(() -> CONCAT.run(Map.of("b", text("x")), Json.object()))
                .isInstanceOf(OperationFailure.class).hasMessageContaining("'a' is required");
    }

    @Test
    void aValueOfTheWrongTypeOnAPortIsRefused() {
        assertThatThrownBy(() -> CONCAT.run(Map.of("a", new Value.Number(1)), Json.object()))
                .isInstanceOf(OperationFailure.class).hasMessageContaining("expects text but received number");
    }
}

package dev.hearth.workflows.operations;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code text_template}: fills {@code {{a}}}..{@code {{d}}} in the {@code template} param with the texts on the
 * input ports of those names, e.g. to build a prompt from a user's question and a retrieved passage. Ports are
 * fixed per operation (the graph is validated before it runs), hence four named slots rather than free
 * placeholder names. A placeholder that names no port, or a port that is not wired, fails the step: silently
 * leaving {@code {{b}}} in a prompt would send the model the wrong question.
 */
final class TextTemplate extends BuiltInOperation {

    static final List<String> SLOTS = List.of("a", "b", "c", "d");
    /** {@code {{name}}}, spaces inside the braces allowed; the name is anything up to the closing braces so a typo is reported as written. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^{}]*?)\\s*}}");

    TextTemplate() {
        super("text_template", "Text template",
                SLOTS.stream().map(s -> Port.optional(s, PortType.TEXT)).toList(),
                List.of(Port.required("text", PortType.TEXT)),
                """
                {"$schema": "https://json-schema.org/draft/2020-12/schema",
                 "type": "object",
                 "properties": {
                   "template": {"type": "string", "minLength": 1,
                     "description": "Text with {{a}}, {{b}}, {{c}}, {{d}} placeholders, replaced by the texts on those input ports"}
                 },
                 "required": ["template"],
                 "additionalProperties": false}
                """);
    }

    @Override
    Map<String, Value> apply(Map<String, Value> inputs, ObjectNode params) throws OperationFailure {
        String template = params.get("template").textValue();
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder(template.length());
        while (m.find()) {
            String slot = m.group(1);
            if (!SLOTS.contains(slot)) {
                throw new OperationFailure("template placeholder {{" + slot + "}} names no input: use {{a}}, {{b}}, {{c}} or {{d}}");
            }
            if (!(inputs.get(slot) instanceof Value.Text t)) {
                throw new OperationFailure("template placeholder {{" + slot + "}} is used but input '" + slot + "' is not wired");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(t.text()));
        }
        m.appendTail(out);
        return Map.of("text", new Value.Text(out.toString()));
    }
}

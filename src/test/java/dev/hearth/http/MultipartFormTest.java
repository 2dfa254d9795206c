package dev.hearth.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** multipart/form-data into the same JSON object a JSON body gives, and schema-typed form fields. */
class MultipartFormTest {

    static final String BOUNDARY = "----hearthBoundary7MA4YWxk";
    static final byte[] BINARY = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', '-', '-', 0, (byte) 0xFF};

    static byte[] form() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, "preamble to ignore\r\n");
        write(out, "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\na cat, \"quoted\"\r\non two lines\r\n");
        write(out, "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"scale\"\r\n\r\n4\r\n");
        write(out, "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"cat \\\"1\\\".png\"\r\n"
                + "Content-Type: image/png\r\n\r\n");
        out.writeBytes(BINARY);
        write(out, "\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"tags[]\"\r\n\r\nred\r\n");
        write(out, "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"tags[]\"\r\n\r\nblue\r\n");
        write(out, "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"flag\"\r\n\r\ntrue\r\n");
        write(out, "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"options\"\r\nContent-Type: application/json\r\n\r\n{\"a\": 1}\r\n");
        write(out, "--" + BOUNDARY + "--\r\nepilogue");
        return out.toByteArray();
    }

    static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void partsBecomeFieldsAndFilesBecomeDataUrls() {
        MultipartForm f = MultipartForm.parse("multipart/form-data; boundary=\"" + BOUNDARY + "\"", form());
        assertThat(f.parts()).hasSize(7);
        assertThat(f.parts().get(2).filename()).isEqualTo("cat \"1\".png");
        assertThat(f.parts().get(2).bytes()).isEqualTo(BINARY);
        ObjectNode n = f.toObjectNode();
        assertThat(n.get("prompt").asText()).isEqualTo("a cat, \"quoted\"\r\non two lines");
        assertThat(n.get("scale").asText()).isEqualTo("4");
        assertThat(n.get("image").asText()).isEqualTo("data:image/png;base64," + Base64.getEncoder().encodeToString(BINARY));
        assertThat(n.get("tags")).hasSize(2);
        assertThat(n.get("tags").get(1).asText()).isEqualTo("blue");
        assertThat(n.get("options").asText()).as("a JSON field is a field, not a file").isEqualTo("{\"a\": 1}");
    }

    @Test
    void fieldsTakeTheSchemaTypes() throws Exception {
        ObjectNode schema = (ObjectNode) Json.MAPPER.readTree("""
                {"properties": {"scale": {"type": "integer"}, "flag": {"type": "boolean"}, "tags": {"type": "array", "items": {"type": "string"}},
                 "strength": {"type": "number"}, "seed": {"type": "integer"}, "prompt": {"type": "string"}, "ids": {"type": "array", "items": {"type": "integer"}}}}""");
        ObjectNode form = MultipartForm.parse("multipart/form-data; boundary=" + BOUNDARY, form()).toObjectNode();
        form.put("strength", "0.75").put("seed", "seven").put("ids", "3");
        ObjectNode typed = FormFields.coerce(form, schema);
        assertThat(typed.get("scale").isIntegralNumber()).isTrue();
        assertThat(typed.get("scale").asInt()).isEqualTo(4);
        assertThat(typed.get("flag").isBoolean()).isTrue();
        assertThat(typed.get("strength").decimalValue()).isEqualByComparingTo("0.75");
        assertThat(typed.get("seed").asText()).as("left for the schema check to name").isEqualTo("seven");
        assertThat(typed.get("ids").isArray()).isTrue();
        assertThat(typed.get("ids").get(0).asInt()).isEqualTo(3);
        assertThat(typed.get("prompt").isTextual()).isTrue();
    }

    @Test
    void malformedFormsAre400() {
        assertThatThrownBy(() -> MultipartForm.parse("multipart/form-data", form())).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(400)).hasMessageContaining("no boundary");
        byte[] cut = java.util.Arrays.copyOf(form(), 200);
        assertThatThrownBy(() -> MultipartForm.parse("multipart/form-data; boundary=" + BOUNDARY, cut))
                .hasMessageContaining("not valid multipart/form-data");
        assertThatThrownBy(() -> MultipartForm.parse("multipart/form-data; boundary=other", form()))
                .hasMessageContaining("does not contain its boundary");
    }

    @Test
    void boundarySearchFindsNeedlesAnywhere() {
        byte[] hay = "aaaaab--xy--xyz".getBytes();
        assertThat(MultipartForm.indexOf(hay, "--xyz".getBytes(), 0)).isEqualTo(10);
        assertThat(MultipartForm.indexOf(hay, "--x".getBytes(), 7)).isEqualTo(10);
        assertThat(MultipartForm.indexOf(hay, "zz".getBytes(), 0)).isEqualTo(-1);
    }
}

package dev.hearth.http;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The JSON body parser's limits (issue: hostile bodies). Numbers whose exponent no number type holds are refused
 * naming the field (they used to reach validation and fail there with a 500), and a huge body costs memory bounded by
 * the string limit, not by its size: measured as the bytes this thread allocates while the parser refuses it.
 */
class JsonBodyLimitsTest {

    static final JsonBody BODY = new JsonBody(64L << 20, 768 << 10); // strings up to 1 M characters

    static ApiException refusal(String json) {
        try {
            BODY.parse(new java.io.ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("accepted: " + json);
    }

    @Test
    void hugeExponentsAreRefusedNamingTheField() {
        assertThat(refusal("{\"text\": 1e10000}")).satisfies(e -> {
            assertThat(e.status()).isEqualTo(422);
            assertThat(e.getMessage()).startsWith("$.text: the number 1E+10000 is out of range");
        });
        assertThat(refusal("{\"scale\": 2e-10000}").getMessage()).startsWith("$.scale:");
        assertThat(refusal("{\"quality\": 1e999999999}").getMessage()).startsWith("$.quality:");
        assertThat(refusal("{\"graph\": {\"nodes\": [{\"params\": {\"default\": 1e10000}}]}}").getMessage())
                .startsWith("$.graph.nodes[0].params.default:");
        // a number text longer than 1,000 digits stops the parser itself
        assertThat(refusal("{\"n\": 1" + "0".repeat(2_000) + "}").status()).isEqualTo(400);
    }

    @Test
    void ordinaryNumbersPass() {
        var n = BODY.parse(new java.io.ByteArrayInputStream("{\"a\": 1e300, \"b\": 4.9e-324, \"c\": 12345678901234567890, \"d\": 0.5}"
                .getBytes(StandardCharsets.UTF_8)));
        assertThat(n.get("a").decimalValue().toPlainString()).hasSize(301);
        assertThat(n.get("c").bigIntegerValue().toString()).isEqualTo("12345678901234567890");
        // a zero written with a huge exponent is just zero
        assertThat(BODY.parse(new java.io.ByteArrayInputStream("{\"z\": 0e-5000}".getBytes(StandardCharsets.UTF_8))).get("z").decimalValue().signum()).isZero();
    }

    @Test
    void aStringOverTheLimitIsRefusedWhileParsing() {
        ApiException e = refusal("{\"inputs\": [{\"image\": \"" + "a".repeat((1 << 20) + 2_000) + "\"}]}");
        assertThat(e.status()).isEqualTo(413);
        assertThat(e.getMessage()).startsWith("$.inputs[0].image: a string longer than").contains("over the limit of 786432 bytes per item");
    }

    /**
     * A 60 MB body holding one long string, with the string limit a real Hearth uses for base64 media (a 20 MB item:
     * 28 M characters): refused, after allocating at most 200 MB. Reading the whole body first and then building the
     * string (as before) allocated about 450 MB for the same body.
     */
    @Test
    void aSixtyMegabyteBodyCostsMemoryBoundedByTheStringLimit() {
        long bodyBytes = 60L << 20;
        JsonBody body = new JsonBody(64L << 20, 20L << 20);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        assertThatThrownBy(() -> body.parse(longStringBody(bodyBytes))).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(413));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated while refusing a 60 MB body").isLessThan(200L << 20);
    }

    /** {"text": "aaaa…"} of {@code size} bytes, made as it is read (the test itself allocates next to nothing). */
    static InputStream longStringBody(long size) {
        byte[] head = "{\"text\": \"".getBytes(StandardCharsets.US_ASCII);
        return new InputStream() {
            long pos;

            @Override
            public int read() {
                if (pos >= size) return -1;
                return pos < head.length ? head[(int) pos++] : (pos++ == size - 1 ? '"' : 'a');
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= size) return -1;
                int n = (int) Math.min(len, size - pos);
                for (int i = 0; i < n; i++) b[off + i] = (byte) read();
                return n;
            }
        };
    }
}

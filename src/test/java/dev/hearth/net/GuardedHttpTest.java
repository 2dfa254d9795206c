package dev.hearth.net;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The guarded fetcher against live listeners on loopback only (127.0.0.1 and ::1), each recording every hit.
 * Refused fetches must leave no hit on the listener they aimed at; allowed ones must reach exactly the address
 * the guard checked. Names are resolved by an injected table, never by DNS.
 */
class GuardedHttpTest {

    private static final Duration CONNECT = Duration.ofSeconds(5);
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final byte[] PAYLOAD = "hello from loopback".getBytes(StandardCharsets.UTF_8);

    private static GuardedHttp strict() {
        return new GuardedHttp(AddressGuard.strict(), CONNECT, TIMEOUT, 5);
    }

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void loopbackByAddressOrNameIsRefusedWithoutAHit() throws Exception {
        try (LoopbackListener v4 = LoopbackListener.start("127.0.0.1", 0, LoopbackListener.bytes(PAYLOAD, "text/plain"));
             LoopbackListener v6 = LoopbackListener.start("::1", 0, LoopbackListener.bytes(PAYLOAD, "text/plain"))) {
            GuardedHttp http = strict();
            assertThatThrownBy(() -> http.get("http://127.0.0.1:" + v4.port() + "/", 1000))
                    .isInstanceOf(FetchRefused.class).hasMessageContaining("127.0.0.1").hasMessageContaining("loopback");
            assertThatThrownBy(() -> http.get("http://localhost:" + v4.port() + "/", 1000))
                    .isInstanceOf(FetchRefused.class).hasMessageContaining("loopback");
            assertThatThrownBy(() -> http.get("http://[::1]:" + v6.port() + "/", 1000))
                    .isInstanceOf(FetchRefused.class).hasMessageContaining("loopback");
            assertThatThrownBy(() -> http.get("http://[::ffff:127.0.0.1]:" + v4.port() + "/", 1000))
                    .isInstanceOf(FetchRefused.class).hasMessageContaining("loopback");
            assertThatThrownBy(() -> http.get("http://0.0.0.0:" + v4.port() + "/", 1000))
                    .isInstanceOf(FetchRefused.class).hasMessageContaining("unspecified");
            assertThatThrownBy(() -> http.postJson("http://127.0.0.1:" + v4.port() + "/hook", Map.of(), "{}".getBytes()))
                    .isInstanceOf(FetchRefused.class).hasMessageContaining("loopback");
            assertThatThrownBy(() -> http.checkDestination("http://localhost:" + v4.port() + "/hook"))
                    .isInstanceOf(FetchRefused.class).hasMessageContaining("loopback");
            // other spellings of 127.0.0.1: refused as loopback or as unresolvable, never fetched
            for (String host : List.of("2130706433", "0x7f000001", "127.1", "017700000001", "127.000.000.001", "LOCALHOST", "localhost.")) {
                assertThatThrownBy(() -> http.get("http://" + host + ":" + v4.port() + "/", 1000)).as(host).isInstanceOf(FetchRefused.class);
            }
            assertThat(v4.hits).isEmpty();
            assertThat(v6.hits).isEmpty();
        }
    }

    @Test
    void otherSchemesAndMalformedUrlsAreRefused() {
        GuardedHttp http = strict();
        assertThatThrownBy(() -> http.get("file:///etc/passwd", 1000)).isInstanceOf(FetchRefused.class)
                .hasMessageContaining("scheme 'file'").hasMessageContaining("only http and https");
        assertThatThrownBy(() -> http.get("gopher://127.0.0.1:70/", 1000)).hasMessageContaining("scheme 'gopher'");
        assertThatThrownBy(() -> http.get("ftp://example.com/x", 1000)).hasMessageContaining("scheme 'ftp'");
        assertThatThrownBy(() -> http.get("http:///nohost", 1000)).hasMessageContaining("no host");
        assertThatThrownBy(() -> http.get("http://user:pw@example.com/", 1000)).hasMessageContaining("credentials");
        assertThatThrownBy(() -> http.get("http://exa mple.com/", 1000)).hasMessageContaining("not a valid URL");
    }

    /** allowed.test → 127.0.0.1, allowed by name; everything else goes through the strict rules. */
    private static GuardedHttp allowingByName(String name, Duration timeout) {
        HostResolver table = host -> switch (host) {
            case "allowed.test" -> new InetAddress[]{ip("127.0.0.1")};
            default -> HostResolver.SYSTEM.resolve(host);
        };
        return new GuardedHttp(new AddressGuard(List.of(name), table), CONNECT, timeout, 5);
    }

    @Test
    void aRedirectFromAnAllowedHostToAForbiddenListenerIsRefusedBeforeAnyHit() throws Exception {
        try (LoopbackListener forbidden = LoopbackListener.start("127.0.0.1", 0, LoopbackListener.bytes(PAYLOAD, "text/plain"));
             LoopbackListener forbidden6 = LoopbackListener.start("::1", 0, LoopbackListener.bytes(PAYLOAD, "text/plain"))) {
            for (String target : List.of("http://127.0.0.1:" + forbidden.port() + "/secret", "http://localhost:" + forbidden.port() + "/secret",
                    "http://[::1]:" + forbidden6.port() + "/secret", "file:///etc/passwd")) {
                try (LoopbackListener redirector = LoopbackListener.start("127.0.0.1", 0, LoopbackListener.redirect(302, target))) {
                    GuardedHttp http = allowingByName("allowed.test", TIMEOUT);
                    assertThatThrownBy(() -> http.get("http://allowed.test:" + redirector.port() + "/start", 1000))
                            .as(target).isInstanceOf(FetchRefused.class);
                    assertThat(redirector.hits).as("the allowed host was asked").hasSize(1);
                }
            }
            assertThat(forbidden.hits).isEmpty();
            assertThat(forbidden6.hits).isEmpty();
        }
    }

    @Test
    void allowedFetchesFollowRedirectsKeepTheRawQueryAndCapRedirects() throws Exception {
        byte[] big = new byte[300_000];
        java.util.Arrays.fill(big, (byte) 'x');
        try (LoopbackListener target = LoopbackListener.start("127.0.0.1", 0, ex -> {
            byte[] body = ex.getRequestURI().getRawPath().equals("/big") ? big : PAYLOAD;
            LoopbackListener.bytes(body, "image/png").accept(ex);
        })) {
            GuardedHttp http = new GuardedHttp(new AddressGuard(List.of("127.0.0.1/32"), HostResolver.SYSTEM), CONNECT, TIMEOUT, 5);
            Fetched f = http.get("http://127.0.0.1:" + target.port() + "/img?sig=a%2Fb%3D&x=1", 1000);
            assertThat(f.bytes()).isEqualTo(PAYLOAD);
            assertThat(f.declaredType()).isEqualTo("image/png");
            assertThat(target.hits.getFirst().rawPathAndQuery()).isEqualTo("/img?sig=a%2Fb%3D&x=1");
            // signed URLs (S3 and the like) break if a single byte of path or query changes
            for (String pq : List.of("/a%20b/c.png?X-Amz-Signature=ab%2Bcd&X-Amz-Credential=k%2F2024%2Fus&e=%7E~",
                    "/p%2Fq?a=b+c&d=%2B&empty=&flag", "/caf%C3%A9.png?q=%E2%9C%93")) {
                target.hits.clear();
                assertThat(http.get("http://127.0.0.1:" + target.port() + pq, 1000).bytes()).isEqualTo(PAYLOAD);
                assertThat(target.hits.getFirst().rawPathAndQuery()).isEqualTo(pq);
            }

            try (LoopbackListener hop = LoopbackListener.start("127.0.0.1", 0, LoopbackListener.redirect(301, "/moved"))) {
                // relative Location, resolved against the hop's own URL: lands on the hop again, which redirects forever
                assertThatThrownBy(() -> http.get("http://127.0.0.1:" + hop.port() + "/a", 1000))
                        .hasMessageContaining("redirected more than 5 times");
                assertThat(hop.hits).hasSize(6);
            }
            try (LoopbackListener hop = LoopbackListener.start("127.0.0.1", 0,
                    LoopbackListener.redirect(307, "http://127.0.0.1:" + target.port() + "/final"))) {
                assertThat(http.get("http://127.0.0.1:" + hop.port() + "/a", 1000).finalUrl().getPath()).isEqualTo("/final");
            }
            assertThatThrownBy(() -> http.get("http://127.0.0.1:" + target.port() + "/big", 100_000))
                    .hasMessageContaining("larger than the limit of 100000 bytes");
        }
    }

    @Test
    void aBodyWithoutLengthIsCutAtTheLimit() throws Exception {
        try (LoopbackListener chunked = LoopbackListener.start("127.0.0.1", 0, ex -> {
            try {
                ex.sendResponseHeaders(200, 0);   // chunked: no Content-Length to refuse up front
                byte[] chunk = new byte[64 * 1024];
                for (int i = 0; i < 64; i++) ex.getResponseBody().write(chunk);
            } catch (IOException ignored) {
                // the fetcher hung up at its limit, as it should
            }
        })) {
            GuardedHttp http = new GuardedHttp(new AddressGuard(List.of("127.0.0.1/32"), HostResolver.SYSTEM), CONNECT, TIMEOUT, 5);
            assertThatThrownBy(() -> http.get("http://127.0.0.1:" + chunked.port() + "/", 200_000))
                    .hasMessageContaining("larger than the limit of 200000 bytes");
        }
    }

    @Test
    void aSlowServerRunsIntoTheTimeLimit() throws Exception {
        try (LoopbackListener slow = LoopbackListener.start("127.0.0.1", 0, ex -> {
            try {
                ex.sendResponseHeaders(200, 0);
                for (int i = 0; i < 40; i++) {   // a byte every 250 ms: each read is quick, the whole is not
                    ex.getResponseBody().write('x');
                    ex.getResponseBody().flush();
                    Thread.sleep(250);
                }
            } catch (IOException | InterruptedException ignored) {
                // the fetcher gave up, as it should
            }
        })) {
            GuardedHttp http = new GuardedHttp(new AddressGuard(List.of("127.0.0.1/32"), HostResolver.SYSTEM), CONNECT, Duration.ofSeconds(2), 5);
            assertThatThrownBy(() -> http.get("http://127.0.0.1:" + slow.port() + "/", 1_000_000))
                    .hasMessageContaining("did not answer within 2 s");
        }
    }

    @Test
    void theConnectionGoesToTheAddressThatWasCheckedEvenIfTheNameRebinds() throws Exception {
        // Two listeners on the same port: 127.0.0.1 (allowed) and ::1 (not allowed). The name answers 127.0.0.1
        // the first time and ::1 afterwards, as a rebinding attacker's DNS would.
        try (LoopbackListener allowed = LoopbackListener.start("127.0.0.1", 0, LoopbackListener.bytes(PAYLOAD, "text/plain"));
             LoopbackListener rebound = LoopbackListener.start("::1", allowed.port(), LoopbackListener.bytes("internal".getBytes(), "text/plain"))) {
            AtomicInteger lookups = new AtomicInteger();
            HostResolver rebinding = host -> {
                if (!host.equals("rebind.test")) throw new UnknownHostException(host);
                return new InetAddress[]{lookups.getAndIncrement() == 0 ? ip("127.0.0.1") : ip("::1")};
            };
            GuardedHttp http = new GuardedHttp(new AddressGuard(List.of("127.0.0.1/32"), rebinding), CONNECT, TIMEOUT, 5);
            Fetched f = http.get("http://rebind.test:" + allowed.port() + "/", 1000);
            assertThat(f.bytes()).isEqualTo(PAYLOAD);
            assertThat(lookups.get()).as("resolved once, connected to that answer").isEqualTo(1);
            assertThat(allowed.hits).hasSize(1);
            assertThat(rebound.hits).isEmpty();
            // the next fetch resolves again and is refused on the new answer, still without reaching ::1
            assertThatThrownBy(() -> http.get("http://rebind.test:" + allowed.port() + "/", 1000)).hasMessageContaining("loopback");
            assertThat(rebound.hits).isEmpty();
        }
    }

    @Test
    void webhookPostsCarryTheBodyAndHeadersAndReportTheStatus() throws Exception {
        try (LoopbackListener receiver = LoopbackListener.start("127.0.0.1", 0, ex -> {
            try {
                byte[] reply = "{\"ok\":true}".getBytes();
                ex.sendResponseHeaders(202, reply.length);
                ex.getResponseBody().write(reply);
            } catch (IOException ignored) {
                // fine
            }
        })) {
            GuardedHttp http = new GuardedHttp(new AddressGuard(List.of("127.0.0.1"), HostResolver.SYSTEM), CONNECT, TIMEOUT, 5);
            byte[] body = "{\"status\":\"COMPLETED\"}".getBytes();
            GuardedHttp.Answer a = http.postJson("http://127.0.0.1:" + receiver.port() + "/hook",
                    Map.of("webhook-id", "msg_1", "webhook-signature", "v1,abc"), body);
            assertThat(a.status()).isEqualTo(202);
            assertThat(a.bodyStart()).isEqualTo("{\"ok\":true}");
            LoopbackListener.Hit hit = receiver.hits.getFirst();
            assertThat(hit.method()).isEqualTo("POST");
            assertThat(hit.body()).isEqualTo(body);
            assertThat(hit.headers().getFirst("webhook-id")).isEqualTo("msg_1");
            assertThat(hit.headers().getFirst("Content-Type")).isEqualTo("application/json");
        }
    }
}

package dev.hearth.net;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The outbound client against live listeners on loopback: a guarded call reaches only the addresses the guard
 * checked, whatever the name resolves to afterwards; a trusted client keeps its connection alive.
 */
class OutboundTest {

    private static final Duration CONNECT = Duration.ofSeconds(5);
    private static final byte[] PUBLIC = "the allowed server".getBytes(StandardCharsets.UTF_8);
    private static final byte[] INTERNAL = "internal".getBytes(StandardCharsets.UTF_8);

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aPinnedCallConnectsToTheCheckedAddressAndNeverResolvesTheNameItself() throws Exception {
        // "pinned.invalid" resolves nowhere (RFC 6761): the call can only succeed on the address it was given,
        // and the request still names the URL's host (the Host header; TLS would use it for SNI and the certificate)
        try (LoopbackListener allowed = LoopbackListener.start("127.0.0.1", 0, LoopbackListener.bytes(PUBLIC, "text/plain"))) {
            URI uri = URI.create("http://pinned.invalid:" + allowed.port() + "/x?sig=a%2Fb");
            try (Outbound.Answer a = Outbound.pinned("GET", uri, List.of(ip("127.0.0.1")), Map.of(), null, CONNECT, Duration.ofSeconds(10))) {
                assertThat(a.status()).isEqualTo(200);
                assertThat(a.bytes(1000).bytes()).isEqualTo(PUBLIC);
            }
            LoopbackListener.Hit hit = allowed.hits.getFirst();
            assertThat(hit.headers().getFirst("Host")).isEqualTo("pinned.invalid:" + allowed.port());
            assertThat(hit.rawPathAndQuery()).isEqualTo("/x?sig=a%2Fb");
        }
    }

    @Test
    void aDnsAnswerThatChangesBetweenCheckAndConnectCannotReachAForbiddenAddress() throws Exception {
        // The attacker's name answers 127.0.0.1 (allowed here, standing in for a public address) to the first
        // lookup and ::1 (loopback, forbidden) to every later one: a client that resolved again at connect time,
        // or per redirect hop without a check, would land on the ::1 listener on the same port.
        try (LoopbackListener allowed = LoopbackListener.start("127.0.0.1", 0, ex -> {
                 if (ex.getRequestURI().getPath().equals("/hop")) LoopbackListener.redirect(302, "/second").accept(ex);
                 else LoopbackListener.bytes(PUBLIC, "text/plain").accept(ex);
             });
             LoopbackListener internal = LoopbackListener.start("::1", allowed.port(), LoopbackListener.bytes(INTERNAL, "text/plain"))) {
            AtomicInteger lookups = new AtomicInteger();
            HostResolver rebinding = host -> {
                if (!host.equals("rebind.test")) throw new UnknownHostException(host);
                return new InetAddress[]{lookups.getAndIncrement() == 0 ? ip("127.0.0.1") : ip("::1")};
            };
            GuardedHttp http = new GuardedHttp(new AddressGuard(List.of("127.0.0.1/32"), rebinding), CONNECT, Duration.ofSeconds(20), 5);

            // the connection follows the checked answer, not a second lookup
            assertThat(http.get("http://rebind.test:" + allowed.port() + "/", 1000).bytes()).isEqualTo(PUBLIC);
            assertThat(lookups.get()).isEqualTo(1);

            // a redirect to the same name is a new hop: looked up again, checked again, refused on the new answer
            lookups.set(0);
            assertThatThrownBy(() -> http.get("http://rebind.test:" + allowed.port() + "/hop", 1000))
                    .isInstanceOf(FetchRefused.class).hasMessageContaining("loopback");
            assertThat(lookups.get()).isEqualTo(2);

            // webhooks go the same way
            assertThatThrownBy(() -> http.postJson("http://rebind.test:" + allowed.port() + "/hook", Map.of(), "{}".getBytes()))
                    .isInstanceOf(FetchRefused.class).hasMessageContaining("loopback");
            assertThat(internal.hits).isEmpty();
            assertThat(allowed.hits).extracting(LoopbackListener.Hit::rawPathAndQuery).containsExactly("/", "/hop");
        }
    }

    @Test
    void aPinnedCallRefusesToResolveAnyOtherName() throws Exception {
        // The pinned resolver answers only for the URL's own host; a second name (which OkHttp would resolve for
        // a redirect it followed itself) gets nothing. Redirects are not followed by the client at all.
        try (LoopbackListener hop = LoopbackListener.start("127.0.0.1", 0, LoopbackListener.redirect(302, "http://other.invalid/"))) {
            URI uri = URI.create("http://pinned.invalid:" + hop.port() + "/");
            try (Outbound.Answer a = Outbound.pinned("GET", uri, List.of(ip("127.0.0.1")), Map.of(), null, CONNECT, Duration.ofSeconds(10))) {
                assertThat(a.status()).isEqualTo(302);
                assertThat(a.header("location")).isEqualTo("http://other.invalid/");
            }
            assertThat(hop.hits).hasSize(1);
        }
    }

    @Test
    void aTrustedClientKeepsTheConnectionAlive() throws Exception {
        java.util.Set<Integer> clientPorts = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (LoopbackListener server = LoopbackListener.start("127.0.0.1", 0, ex -> {
            clientPorts.add(ex.getRemoteAddress().getPort());
            LoopbackListener.bytes(PUBLIC, "text/plain").accept(ex);
        })) {
            Outbound http = Outbound.trusted(CONNECT, false);
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/");
            for (int i = 0; i < 5; i++) assertThat(http.get(uri, Map.of(), null).bytes()).isEqualTo(PUBLIC);
            assertThat(server.hits).hasSize(5);
            assertThat(clientPorts).as("client ports of 5 sequential calls: one connection").hasSize(1);
        }
    }

    @Test
    void anUnreachableServerIsToldApartFromOtherFailures() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, ip("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        Outbound http = Outbound.trusted(CONNECT, false);
        assertThatThrownBy(() -> http.get(URI.create("http://127.0.0.1:" + closedPort + "/"), Map.of(), null))
                .isInstanceOf(Outbound.Unreachable.class).hasMessageContaining("could not connect to 127.0.0.1:" + closedPort);
    }

    @Test
    void interruptingTheCallingVirtualThreadAbortsTheCall() throws Exception {
        // how a run is cancelled or timed out: its virtual thread is interrupted while it waits for the model's server
        try (LoopbackListener silent = LoopbackListener.start("127.0.0.1", 0, ex -> {
            try {
                Thread.sleep(20_000);
            } catch (InterruptedException ignored) {
                // the listener is closing
            }
        })) {
            Outbound http = Outbound.trusted(CONNECT, false);
            java.util.concurrent.CompletableFuture<Throwable> ended = new java.util.concurrent.CompletableFuture<>();
            Thread caller = Thread.ofVirtual().start(() -> {
                try {
                    http.send("POST", URI.create("http://127.0.0.1:" + silent.port() + "/v1/chat/completions"),
                            Map.of("Content-Type", "application/json"), "{}".getBytes(), null).close();
                    ended.complete(null);
                } catch (Throwable t) {
                    ended.complete(t);
                }
            });
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !silent.hits.isEmpty());
            Thread.sleep(200);
            long t0 = System.nanoTime();
            caller.interrupt();
            assertThat(ended.get(5, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void overTlsThePinnedCallStillNamesAndVerifiesTheUrlsHost(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // A certificate for pinned.test only, served on 127.0.0.1. Pinned to 127.0.0.1, https://pinned.test/ must
        // send SNI pinned.test and accept the certificate; https://other.test/ pinned to the same address must be
        // refused by the certificate check: the name checked is the URL's, not the address connected to.
        java.nio.file.Path store = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-dname", "CN=pinned.test", "-ext", "SAN=dns:pinned.test",
                "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit")
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        javax.net.ssl.X509TrustManager trust = (javax.net.ssl.X509TrustManager) tmf.getTrustManagers()[0];
        javax.net.ssl.SSLContext serverTls = javax.net.ssl.SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);
        javax.net.ssl.SSLContext clientTls = javax.net.ssl.SSLContext.getInstance("TLS");
        clientTls.init(null, new javax.net.ssl.TrustManager[]{trust}, null);

        List<String> sniSeen = new java.util.concurrent.CopyOnWriteArrayList<>();
        javax.net.ssl.SNIMatcher recorder = new javax.net.ssl.SNIMatcher(javax.net.ssl.StandardConstants.SNI_HOST_NAME) {
            @Override
            public boolean matches(javax.net.ssl.SNIServerName name) {
                sniSeen.add(((javax.net.ssl.SNIHostName) name).getAsciiName());
                return true;
            }
        };
        com.sun.net.httpserver.HttpsServer server = com.sun.net.httpserver.HttpsServer.create(new java.net.InetSocketAddress(ip("127.0.0.1"), 0), 0);
        server.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(serverTls) {
            @Override
            public void configure(com.sun.net.httpserver.HttpsParameters params) {
                javax.net.ssl.SSLParameters p = serverTls.getDefaultSSLParameters();
                p.setSNIMatchers(List.of(recorder));
                params.setSSLParameters(p);
            }
        });
        List<String> hosts = new java.util.concurrent.CopyOnWriteArrayList<>();
        server.createContext("/", ex -> {
            hosts.add(ex.getRequestHeaders().getFirst("Host"));
            ex.sendResponseHeaders(200, PUBLIC.length);
            ex.getResponseBody().write(PUBLIC);
            ex.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            okhttp3.OkHttpClient trusting = Outbound.guardedBase().newBuilder().sslSocketFactory(clientTls.getSocketFactory(), trust).build();
            try (Outbound.Answer a = Outbound.pinned(trusting, "GET", URI.create("https://pinned.test:" + port + "/"),
                    List.of(ip("127.0.0.1")), Map.of(), null, CONNECT, Duration.ofSeconds(10))) {
                assertThat(a.bytes(1000).bytes()).isEqualTo(PUBLIC);
            }
            assertThat(sniSeen).contains("pinned.test");
            assertThat(hosts).containsExactly("pinned.test:" + port);

            assertThatThrownBy(() -> Outbound.pinned(trusting, "GET", URI.create("https://other.test:" + port + "/"),
                    List.of(ip("127.0.0.1")), Map.of(), null, CONNECT, Duration.ofSeconds(10)))
                    .isInstanceOf(javax.net.ssl.SSLPeerUnverifiedException.class).hasMessageContaining("other.test");
            assertThat(hosts).hasSize(1);
        } finally {
            server.stop(0);
        }
    }
}

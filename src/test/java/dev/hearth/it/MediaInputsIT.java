package dev.hearth.it;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.ApiException;
import dev.hearth.http.Json;
import dev.hearth.net.LoopbackListener;
import dev.hearth.storage.ResolvedMedia;
import dev.hearth.storage.TestImages;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Media inputs through the server's own wiring ({@code net.*} and {@code storage.*} from its configuration), against
 * live listeners on loopback only, each recording every hit. A URL to a loopback listener is refused with a 422
 * naming the field and the listener sees nothing; an operator-allowed host that redirects to a listener that is not
 * allowed is refused the same way; and an asset URL under the server's own base (a loopback address) is read from
 * storage, which the guard would never have let through over the network.
 */
class MediaInputsIT {

    static final ObjectNode SCHEMA = schema();

    static ObjectNode schema() {
        ObjectNode s = Json.object().put("type", "object");
        s.putObject("properties").putObject("image").put("type", "string").put("x-hearth-media", "image");
        return s;
    }

    static ObjectNode params(String image) {
        return Json.object().put("image", image);
    }

    static void assertRefused(HearthServer server, String url, String base) {
        assertThatThrownBy(() -> server.app.mediaInputs.resolve(SCHEMA, params(url), base))
                .as(url).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(422))
                .hasMessageStartingWith("$.image: ");
    }

    @Test
    void loopbackAndOtherSchemesAreRefusedWithoutAHitWhileOwnAssetsAreReadFromStorage() throws Exception {
        byte[] png = TestImages.png(20, 20);
        try (HearthServer server = HearthServer.start(HearthServer.Store.SQLITE);
             LoopbackListener v4 = LoopbackListener.start("127.0.0.1", 0, LoopbackListener.bytes(png, "image/png"));
             LoopbackListener v6 = LoopbackListener.start("::1", 0, LoopbackListener.bytes(png, "image/png"))) {
            for (String url : List.of("http://127.0.0.1:" + v4.port() + "/", "http://localhost:" + v4.port() + "/cat.png",
                    "http://[::1]:" + v6.port() + "/", "file:///etc/passwd")) {
                assertRefused(server, url, server.base);
            }
            assertThat(v4.hits).isEmpty();
            assertThat(v6.hits).isEmpty();

            String key = server.createAccount("media", "free", "1").get("api_key").asText();
            ObjectNode body = Json.object();
            body.putArray("data_urls").add(TestImages.dataUrl("image/png", png));
            String url = server.post("/v1/upload-asset", key, body).json().get("urls").get(0).asText();
            assertThat(url).startsWith("http://127.0.0.1:");
            ResolvedMedia r = server.app.mediaInputs.resolve(SCHEMA, params(url), server.base);
            assertThat(r.get("image").bytes()).isEqualTo(png);
            assertThat(r.get("image").source()).isEqualTo("asset");
        }
    }

    @Test
    void aRedirectFromAnAllowedHostToAListenerThatIsNotAllowedIsRefused() throws Exception {
        byte[] png = TestImages.png(20, 20);
        // the operator allows the host name localhost (not the address 127.0.0.1 itself)
        try (HearthServer server = HearthServer.start(HearthServer.Store.SQLITE, Map.of("net.allow", "localhost"), Map.of());
             LoopbackListener forbidden = LoopbackListener.start("127.0.0.1", 0, LoopbackListener.bytes(png, "image/png"));
             LoopbackListener allowed = LoopbackListener.start("127.0.0.1", 0,
                     LoopbackListener.redirect(302, "http://127.0.0.1:" + forbidden.port() + "/internal.png"))) {
            assertRefused(server, "http://localhost:" + allowed.port() + "/start.png", server.base);
            assertThat(allowed.hits).hasSize(1);
            assertThat(forbidden.hits).isEmpty();
            // and the allowed host itself is fetched, its bytes checked like any input
            ResolvedMedia r = server.app.mediaInputs.resolve(SCHEMA, params("http://localhost:" + forbidden.port() + "/direct.png"), server.base);
            assertThat(r.get("image").bytes()).isEqualTo(png);
            assertThat(r.get("image").source()).isEqualTo("url");
            assertThat(forbidden.hits).hasSize(1);
        }
    }
}

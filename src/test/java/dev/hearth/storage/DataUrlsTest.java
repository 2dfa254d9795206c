package dev.hearth.storage;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataUrlsTest {

    private static final byte[] BYTES = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2, (byte) 0xFF, (byte) 0xFE};

    @Test
    void decodesDataUrlsAndRawBase64InBothAlphabets() throws Exception {
        DataUrls.Decoded d = DataUrls.decode("data:image/png;base64," + Base64.getEncoder().encodeToString(BYTES), 100);
        assertThat(d.bytes()).isEqualTo(BYTES);
        assertThat(d.declaredType()).isEqualTo("image/png");
        assertThat(DataUrls.decode(Base64.getEncoder().encodeToString(BYTES), 100).bytes()).isEqualTo(BYTES);
        assertThat(DataUrls.decode(Base64.getUrlEncoder().withoutPadding().encodeToString(BYTES), 100).bytes()).isEqualTo(BYTES);
        String wrapped = Base64.getMimeEncoder(8, "\r\n".getBytes()).encodeToString(BYTES);
        assertThat(DataUrls.decode(wrapped, 100).bytes()).isEqualTo(BYTES);
        assertThat(DataUrls.decode("DATA:Image/PNG;charset=x;BASE64," + Base64.getEncoder().encodeToString(BYTES), 100).declaredType())
                .isEqualTo("image/png");
        DataUrls.Decoded svg = DataUrls.decode("data:image/svg+xml,%3Csvg%3E+%3C/svg%3E", 100);
        assertThat(new String(svg.bytes(), StandardCharsets.UTF_8)).isEqualTo("<svg>+</svg>");
    }

    @Test
    void refusesBrokenInputWithAReason() {
        assertThatThrownBy(() -> DataUrls.decode("data:image/png;base64,iVBOR!!!w0KGgo=", 100))
                .isInstanceOf(BadMedia.class).hasMessageContaining("not valid base64");
        assertThatThrownBy(() -> DataUrls.decode("iVBORw0KGgo=x", 100)).hasMessageContaining("not valid base64");
        assertThatThrownBy(() -> DataUrls.decode("data:image/png;base64", 100)).hasMessageContaining("without the ','");
        assertThatThrownBy(() -> DataUrls.decode("data:image/png;base64,", 100)).hasMessageContaining("empty");
        assertThatThrownBy(() -> DataUrls.decode("data:text/plain,%G0", 100)).hasMessageContaining("%-escape");
    }

    @Test
    void sizeLimitsAreMarkedAsSuch() {
        byte[] big = new byte[1000];
        BadMedia e = org.junit.jupiter.api.Assertions.assertThrows(BadMedia.class,
                () -> DataUrls.decode(Base64.getEncoder().encodeToString(big), 999));
        assertThat(e.tooLarge()).isTrue();
        assertThat(e.getMessage()).contains("over the limit of 999 bytes");
    }
}

package dev.hearth.storage;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Sniffing types from bytes, matching declared types, and proving images are whole. */
class ContentCheckTest {

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Bytes 0-255 written as the characters \u0000-\u00ff. */
    private static byte[] bin(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void sniffsBinaryFormatsFromTheirSignatures() {
        assertThat(ContentSniffer.sniff(TestImages.png(8, 8))).isEqualTo(MediaType.PNG);
        assertThat(ContentSniffer.sniff(TestImages.jpeg(8, 8))).isEqualTo(MediaType.JPEG);
        assertThat(ContentSniffer.sniff(TestImages.encode("gif", 8, 8))).isEqualTo(MediaType.GIF);
        assertThat(ContentSniffer.sniff(TestImages.encode("bmp", 8, 8))).isEqualTo(MediaType.BMP);
        assertThat(ContentSniffer.sniff(TestImages.encode("tiff", 8, 8))).isEqualTo(MediaType.TIFF);
        assertThat(ContentSniffer.sniff(bin("RIFF\u0004\0\0\0WEBPVP8 "))).isEqualTo(MediaType.WEBP);
        assertThat(ContentSniffer.sniff(bin("RIFF\u0004\0\0\0WAVEfmt "))).isEqualTo(MediaType.WAV);
        assertThat(ContentSniffer.sniff(bin("ID3\u0004\0\0\0\0\0\0"))).isEqualTo(MediaType.MP3);
        assertThat(ContentSniffer.sniff(bin("OggS\0\u0002"))).isEqualTo(MediaType.OGG);
        assertThat(ContentSniffer.sniff(text("fLaC\0\0\0\""))).isEqualTo(MediaType.FLAC);
        assertThat(ContentSniffer.sniff(text("\0\0\0\u0018ftypisom\0\0\u0002\0"))).isEqualTo(MediaType.MP4);
        assertThat(ContentSniffer.sniff(text("\0\0\0\u0018ftypM4A \0\0\u0002\0"))).isEqualTo(MediaType.M4A);
        assertThat(ContentSniffer.sniff(bin("%PDF-1.7\n"))).isEqualTo(MediaType.PDF);
        assertThat(ContentSniffer.sniff(new byte[]{0, 1, 2, 3, (byte) 0xFE})).isEqualTo(MediaType.UNKNOWN);
    }

    @Test
    void tellsTheDangerousKindsOfTextApart() {
        assertThat(ContentSniffer.sniff(text("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"))).isEqualTo(MediaType.SVG);
        assertThat(ContentSniffer.sniff(text("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"))).isEqualTo(MediaType.SVG);
        assertThat(ContentSniffer.sniff(text("  <!DOCTYPE html><html><body>hi</body></html>"))).isEqualTo(MediaType.HTML);
        assertThat(ContentSniffer.sniff(text("\uFEFF<script>alert(document.cookie)</script>"))).isEqualTo(MediaType.HTML);
        assertThat(ContentSniffer.sniff(text("<?xml version=\"1.0\"?><note/>"))).isEqualTo(MediaType.XML);
        assertThat(ContentSniffer.sniff(text("{\"a\": [1, 2]}"))).isEqualTo(MediaType.JSON);
        assertThat(ContentSniffer.sniff(text("plain words, ünïcode ✓"))).isEqualTo(MediaType.TEXT);
        assertThat(MediaType.SVG.inline()).isFalse();
        assertThat(MediaType.HTML.servedType()).isEqualTo("application/octet-stream");
        assertThat(MediaType.PNG.servedType()).isEqualTo("image/png");
    }

    @Test
    void aDeclaredTypeMustAgreeWithTheContent() {
        assertThat(ContentSniffer.agrees("image/png", MediaType.PNG)).isTrue();
        assertThat(ContentSniffer.agrees("IMAGE/JPG; q=1", MediaType.JPEG)).isTrue();
        assertThat(ContentSniffer.agrees("", MediaType.JPEG)).isTrue();
        assertThat(ContentSniffer.agrees("application/octet-stream", MediaType.PNG)).isTrue();
        assertThat(ContentSniffer.agrees("image/jpeg", MediaType.PNG)).isFalse();
        assertThat(ContentSniffer.agrees("image/png", MediaType.HTML)).isFalse();
        assertThat(ContentSniffer.agrees("text/plain", MediaType.PNG)).isFalse();
        assertThat(ContentSniffer.agrees("image/png", MediaType.UNKNOWN)).isFalse();
        assertThat(ContentSniffer.agrees("application/x-custom", MediaType.UNKNOWN)).isTrue();
        assertThat(ContentSniffer.agrees("image/svg+xml", MediaType.SVG)).isTrue();
        assertThat(ContentSniffer.agrees("text/csv", MediaType.TEXT)).isTrue();
        assertThat(ContentSniffer.agrees("audio/mp4", MediaType.MP4)).isTrue();
    }

    @Test
    void wholeImagesPassAndDamagedOnesAreRefused() throws Exception {
        assertThat(ContentCheck.inspect(TestImages.png(64, 48), "image/png", 1_000_000)).isEqualTo(MediaType.PNG);
        assertThat(ContentCheck.inspect(TestImages.jpeg(64, 48), "image/jpeg", 1_000_000)).isEqualTo(MediaType.JPEG);
        assertThatThrownBy(() -> ContentCheck.inspect(TestImages.truncated(TestImages.png(200, 200)), "image/png", 1_000_000))
                .isInstanceOf(BadMedia.class).hasMessageContaining("damaged or truncated PNG");
        assertThatThrownBy(() -> ContentCheck.inspect(TestImages.truncated(TestImages.jpeg(200, 200)), "image/jpeg", 1_000_000))
                .isInstanceOf(BadMedia.class).hasMessageContaining("damaged or truncated JPG");
        byte[] header = java.util.Arrays.copyOf(TestImages.png(64, 64), 40);
        assertThatThrownBy(() -> ContentCheck.inspect(header, null, 1_000_000)).isInstanceOf(BadMedia.class);
        assertThatThrownBy(() -> ContentCheck.inspect(TestImages.png(64, 48), "image/jpeg", 1_000_000))
                .hasMessageContaining("declared as image/jpeg but its content is image/png");
        assertThatThrownBy(() -> ContentCheck.inspect(bin("RIFF\u00ff\0\0\0WEBPVP8 "), "image/webp", 1_000_000))
                .hasMessageContaining("truncated WEBP");
    }

    @Test
    void imagesOverThePixelLimitAreRefusedBeforeDecodingAndBigOnesDecodeInBoundedMemory() throws Exception {
        BadMedia e = org.junit.jupiter.api.Assertions.assertThrows(BadMedia.class,
                () -> ContentCheck.inspect(TestImages.png(300, 300), null, 50_000));
        assertThat(e.tooLarge()).isTrue();
        assertThat(e.getMessage()).contains("300×300 pixels, over the limit of 50000");
        // 4000×3000 is checked through a subsampled raster
        assertThat(ContentCheck.inspect(TestImages.png(4000, 3000), null, 100_000_000)).isEqualTo(MediaType.PNG);
    }
}

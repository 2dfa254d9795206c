package dev.hearth.runners.speech;

import java.nio.charset.StandardCharsets;

/**
 * What kind of audio file some bytes are, told by their signature (never by a file name or a declared type, which
 * clients get wrong): the containers the JDK reads itself, the compressed formats Hearth decodes with a fetched
 * decoder, and the common ones it does not decode, named so that the refusal can say what was sent.
 */
enum AudioContainer {
    WAV("WAV", true), AIFF("AIFF", true), AU("AU", true),
    MP3("MP3", false), OGG_VORBIS("Ogg Vorbis", false), FLAC("FLAC", false),
    OGG_OPUS("Ogg Opus", false), OGG_OTHER("Ogg (not Vorbis)", false), AAC("AAC", false), MP4("MP4/M4A", false),
    WEBM("WebM/Matroska", false), UNKNOWN("not audio this model reads", false);

    /** How a refusal names it. */
    final String label;
    /** Read by the JDK's sound API, no decoder needed. */
    final boolean jdk;

    AudioContainer(String label, boolean jdk) {
        this.label = label;
        this.jdk = jdk;
    }

    static AudioContainer of(byte[] b) {
        if (ascii(b, 0, "RIFF") && ascii(b, 8, "WAVE")) return WAV;
        if (ascii(b, 0, "FORM") && (ascii(b, 8, "AIFF") || ascii(b, 8, "AIFC"))) return AIFF;
        if (ascii(b, 0, ".snd")) return AU;
        if (ascii(b, 0, "fLaC")) return FLAC;
        if (ascii(b, 0, "OggS")) return ogg(b);
        if (ascii(b, 0, "ID3")) return MP3;
        if (b.length >= 2 && (b[0] & 0xff) == 0xff && (b[1] & 0xe0) == 0xe0) {
            // frame sync: layer bits 00 are ADTS (AAC); 01–11 are MPEG audio layers III, II, I
            return (b[1] & 0x06) == 0 ? AAC : MP3;
        }
        if (ascii(b, 4, "ftyp")) return MP4;
        if (b.length >= 4 && (b[0] & 0xff) == 0x1a && (b[1] & 0xff) == 0x45 && (b[2] & 0xff) == 0xdf && (b[3] & 0xff) == 0xa3) return WEBM;
        return UNKNOWN;
    }

    /** The first Ogg page's first packet names the codec: {@code \1vorbis}, {@code OpusHead}, {@code \177FLAC}, {@code Speex}. */
    private static AudioContainer ogg(byte[] b) {
        if (b.length < 28) return OGG_OTHER;
        int segments = b[26] & 0xff;
        int packet = 27 + segments;
        if (packet + 7 <= b.length && b[packet] == 1 && ascii(b, packet + 1, "vorbis")) return OGG_VORBIS;
        if (ascii(b, packet, "OpusHead")) return OGG_OPUS;
        return OGG_OTHER;
    }

    private static boolean ascii(byte[] b, int at, String s) {
        if (b.length < at + s.length()) return false;
        return new String(b, at, s.length(), StandardCharsets.ISO_8859_1).equals(s);
    }
}

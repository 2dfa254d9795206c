package dev.hearth.storage;

import java.util.Locale;
import java.util.Set;

/**
 * A content type Hearth recognised from the bytes themselves, with the file extension it hands out and the
 * family that media inputs check against. {@link #inline()} says whether it may be shown in a browser from
 * Hearth's origin; everything else (HTML, SVG, XML, PDF, archives, unknown) is served as a download.
 */
public record MediaType(String type, String ext, Family family, boolean imageIoReadable, Set<String> aliases) {

    public enum Family { IMAGE, AUDIO, VIDEO, TEXT, DOCUMENT, UNKNOWN }

    public static final MediaType PNG = image("image/png", "png", true, "image/x-png", "image/apng");
    public static final MediaType JPEG = image("image/jpeg", "jpg", true, "image/jpg", "image/pjpeg");
    public static final MediaType GIF = image("image/gif", "gif", true);
    public static final MediaType BMP = image("image/bmp", "bmp", true, "image/x-bmp", "image/x-ms-bmp");
    public static final MediaType TIFF = image("image/tiff", "tiff", true, "image/tif");
    public static final MediaType WEBP = image("image/webp", "webp", false);
    public static final MediaType AVIF = image("image/avif", "avif", false);
    public static final MediaType HEIC = image("image/heic", "heic", false, "image/heif");

    private static final String[] MP4_FAMILY = {"video/mp4", "audio/mp4", "audio/m4a", "audio/x-m4a", "video/quicktime",
            "video/x-m4v", "application/mp4", "video/3gpp", "audio/3gpp"};
    private static final String[] MATROSKA_FAMILY = {"video/webm", "audio/webm", "video/x-matroska", "audio/x-matroska"};

    public static final MediaType MP3 = of("audio/mpeg", "mp3", Family.AUDIO, "audio/mp3", "audio/mpeg3", "audio/x-mpeg", "audio/x-mp3");
    public static final MediaType AAC = of("audio/aac", "aac", Family.AUDIO, "audio/x-aac", "audio/aacp");
    public static final MediaType WAV = of("audio/wav", "wav", Family.AUDIO, "audio/x-wav", "audio/wave", "audio/vnd.wave");
    public static final MediaType FLAC = of("audio/flac", "flac", Family.AUDIO, "audio/x-flac");
    public static final MediaType OGG = of("audio/ogg", "ogg", Family.AUDIO, "video/ogg", "application/ogg", "audio/opus", "audio/vorbis");
    public static final MediaType M4A = of("audio/mp4", "m4a", Family.AUDIO, MP4_FAMILY);
    public static final MediaType MP4 = of("video/mp4", "mp4", Family.VIDEO, MP4_FAMILY);
    public static final MediaType MOV = of("video/quicktime", "mov", Family.VIDEO, MP4_FAMILY);
    public static final MediaType WEBM = of("video/webm", "webm", Family.VIDEO, MATROSKA_FAMILY);
    public static final MediaType MKV = of("video/x-matroska", "mkv", Family.VIDEO, MATROSKA_FAMILY);
    public static final MediaType AVI = of("video/x-msvideo", "avi", Family.VIDEO, "video/avi", "video/msvideo");

    public static final MediaType PDF = of("application/pdf", "pdf", Family.DOCUMENT, "application/x-pdf");
    public static final MediaType ZIP = of("application/zip", "zip", Family.DOCUMENT, "application/x-zip-compressed");
    public static final MediaType GZIP = of("application/gzip", "gz", Family.DOCUMENT, "application/x-gzip");

    public static final MediaType TEXT = of("text/plain", "txt", Family.TEXT);
    public static final MediaType JSON = of("application/json", "json", Family.TEXT);
    public static final MediaType HTML = of("text/html", "html", Family.TEXT, "application/xhtml+xml");
    public static final MediaType SVG = of("image/svg+xml", "svg", Family.TEXT);
    public static final MediaType XML = of("application/xml", "xml", Family.TEXT, "text/xml");

    public static final MediaType UNKNOWN = of("application/octet-stream", "", Family.UNKNOWN);

    /** Every type the sniffer can recognise from binary signatures: declaring one of these for other bytes is a mismatch. */
    static final Set<MediaType> BINARY = Set.of(PNG, JPEG, GIF, BMP, TIFF, WEBP, AVIF, HEIC, MP3, AAC, WAV, FLAC, OGG, M4A,
            MP4, MOV, WEBM, MKV, AVI, PDF, ZIP, GZIP);

    private static MediaType image(String type, String ext, boolean readable, String... aliases) {
        return new MediaType(type, ext, Family.IMAGE, readable, Set.of(aliases));
    }

    private static MediaType of(String type, String ext, Family family, String... aliases) {
        return new MediaType(type, ext, family, false, Set.of(aliases));
    }

    /** Shown in a browser only if it cannot carry script: raster images, audio, video, plain text and JSON. */
    public boolean inline() {
        return family == Family.IMAGE || family == Family.AUDIO || family == Family.VIDEO || this.equals(TEXT) || this.equals(JSON);
    }

    /** The Content-Type it is served with: its own when inline, else application/octet-stream. */
    public String servedType() {
        return inline() ? type : UNKNOWN.type;
    }

    public boolean answersTo(String declared) {
        return type.equals(declared) || aliases.contains(declared);
    }

    /** "image/PNG; charset=x" → "image/png"; null or blank → "". */
    static String normalize(String declared) {
        if (declared == null) return "";
        String d = declared.trim().toLowerCase(Locale.ROOT);
        int semi = d.indexOf(';');
        return (semi < 0 ? d : d.substring(0, semi)).trim();
    }

    static MediaType byType(String type) {
        for (MediaType t : BINARY) if (t.type.equals(type)) return t;
        for (MediaType t : new MediaType[]{TEXT, JSON, HTML, SVG, XML}) if (t.type.equals(type)) return t;
        return UNKNOWN;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MediaType m && m.type.equals(type);
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public String toString() {
        return type;
    }
}

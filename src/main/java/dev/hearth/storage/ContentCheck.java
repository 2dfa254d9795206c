package dev.hearth.storage;

import java.util.Locale;

/**
 * The checks every stored or model-bound file passes, whatever its source: sniff the type from the bytes, refuse a
 * declared type the content contradicts, and prove images decode (ImageIO for PNG, JPEG, GIF, BMP, TIFF; the
 * RIFF length for WebP, which the JDK cannot decode).
 */
final class ContentCheck {

    private ContentCheck() {
    }

    static MediaType inspect(byte[] bytes, String declared, long maxImagePixels) throws BadMedia {
        MediaType type = ContentSniffer.sniff(bytes);
        if (!ContentSniffer.agrees(declared, type)) {
            throw new BadMedia("is declared as " + MediaType.normalize(declared) + " but its content is " + describe(type));
        }
        if (type.imageIoReadable()) ImageCheck.verify(bytes, type, maxImagePixels);
        if (type.equals(MediaType.WEBP)) checkRiffLength(bytes, type);
        return type;
    }

    /** A RIFF file states its own length; fewer bytes than stated is a truncated file. */
    private static void checkRiffLength(byte[] b, MediaType type) throws BadMedia {
        long stated = (b[4] & 0xFFL) | (b[5] & 0xFFL) << 8 | (b[6] & 0xFFL) << 16 | (b[7] & 0xFFL) << 24;
        if (stated + 8 > b.length) {
            throw new BadMedia("is a truncated " + type.ext().toUpperCase(Locale.ROOT) + " image (its header says "
                    + (stated + 8) + " bytes, " + b.length + " arrived)");
        }
    }

    static String describe(MediaType t) {
        if (t.equals(MediaType.UNKNOWN)) return "not a format Hearth recognises";
        if (t.equals(MediaType.HTML)) return "an HTML document";
        if (t.equals(MediaType.SVG)) return "an SVG document";
        if (t.equals(MediaType.XML)) return "an XML document";
        if (t.equals(MediaType.TEXT)) return "plain text";
        if (t.equals(MediaType.JSON)) return "JSON";
        return t.type();
    }
}

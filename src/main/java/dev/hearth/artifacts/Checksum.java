package dev.hearth.artifacts;

import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * What a registry says a file's digest is, and who said it. {@code sri} keeps npm's notation
 * ({@code sha512-<base64>}) in messages so they can be compared with {@code npm view} by eye.
 */
record Checksum(String algorithm, byte[] expected, String origin, boolean sri) {

    /** From a Maven sidecar file: hex digits, possibly followed by a file name. */
    static Checksum ofHex(String algorithm, String sidecarText, String origin) {
        String hex = sidecarText.trim().split("\\s+")[0].toLowerCase(Locale.ROOT);
        if (!hex.matches("[0-9a-f]+")) throw new IllegalArgumentException(origin + " is not a hex digest: '" + sidecarText.strip() + "'");
        return new Checksum(algorithm, HexFormat.of().parseHex(hex), origin, false);
    }

    /**
     * From a Subresource Integrity string such as npm's {@code dist.integrity} ({@code "sha512-AbC...=="}; several
     * may be given, space-separated): the strongest one is kept.
     */
    static Checksum ofIntegrity(String integrity, String origin) {
        Checksum best = null;
        int bestRank = -1;
        for (String token : integrity.trim().split("\\s+")) {
            int dash = token.indexOf('-');
            if (dash < 0) continue;
            String alg = token.substring(0, dash).toLowerCase(Locale.ROOT);
            int rank = switch (alg) {
                case "sha512" -> 3;
                case "sha384" -> 2;
                case "sha256" -> 1;
                case "sha1" -> 0;
                default -> -1;
            };
            if (rank <= bestRank) continue;
            String javaName = "SHA-" + alg.substring(3);
            if (alg.equals("sha1")) javaName = "SHA-1";
            best = new Checksum(javaName, Base64.getDecoder().decode(token.substring(dash + 1)), origin, true);
            bestRank = rank;
        }
        if (best == null) throw new IllegalArgumentException(origin + " has no digest this Hearth knows: '" + integrity + "'");
        return best;
    }

    String render(byte[] digest) {
        if (!sri) return HexFormat.of().formatHex(digest);
        return algorithm.toLowerCase(Locale.ROOT).replace("-", "") + "-" + Base64.getEncoder().encodeToString(digest);
    }

    String describeExpected() {
        return render(expected);
    }
}

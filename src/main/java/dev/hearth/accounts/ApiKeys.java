package dev.hearth.accounts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Key material: generation, hashing and the constant-time comparison. Keys are {@code SG_} + 32 characters
 * from [A-Za-z0-9] (about 190 bits), so an unsalted SHA-256 is enough to store them: there is no dictionary
 * to attack, and a plain hash lets the gateway find a key with one indexed lookup.
 */
public final class ApiKeys {

    public static final String PREFIX = "SG_";
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeys() {
    }

    public static String generate() {
        return PREFIX + randomText(32);
    }

    public static String randomText(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        return sb.toString();
    }

    /** Well-formed keys only; anything else is rejected before a database lookup. */
    public static boolean looksValid(String key) {
        if (key == null || key.length() != PREFIX.length() + 32 || !key.startsWith(PREFIX)) return false;
        for (int i = PREFIX.length(); i < key.length(); i++) {
            if (ALPHABET.indexOf(key.charAt(i)) < 0) return false;
        }
        return true;
    }

    public static String hash(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Constant-time equality of two hashes, so response timing tells nothing about how much matched. */
    public static boolean sameHash(String a, String b) {
        if (a == null || b == null) return false;
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }

    /** What listings show of a key: its prefix and first characters. */
    public static String displayPrefix(String key) {
        return key.substring(0, PREFIX.length() + 4);
    }
}

package dev.hearth.catalog;

import java.util.Set;
import java.util.regex.Pattern;

/** Slug rules shared by catalog models and dedicated endpoints (SPEC §9, §11). */
public final class Slugs {

    private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");
    public static final Set<String> RESERVED = Set.of("embeddings", "chat", "completions", "models", "requests", "usage",
            "assets", "keys", "get-user-credits", "upload-asset", "workflows", "webhook-secret", "whoami");

    private Slugs() {
    }

    public static boolean isValid(String s) {
        return s != null && SLUG.matcher(s).matches();
    }

    public static boolean isReserved(String s) {
        return RESERVED.contains(s);
    }
}

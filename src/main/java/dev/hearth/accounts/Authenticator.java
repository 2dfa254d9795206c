package dev.hearth.accounts;

import dev.hearth.http.ApiException;
import dev.hearth.store.Database;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Turns the {@code x-api-key} or {@code Authorization: Bearer} header into a {@link Principal}, with the
 * SPEC §1 bodies for missing and invalid keys and 403 for suspended accounts. The admin key is checked first;
 * it is stored hashed in settings (or given by HEARTH_ADMIN_KEY) and compared in constant time.
 */
public final class Authenticator {

    private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
    public static final String MISSING = "Missing Authorization or x-api-key in header";
    public static final String INVALID = "Unauthorized. API key is invalid or may have expired";

    private final Accounts accounts;
    private final String adminKeyHash;
    private final KeyUse keyUse;

    /** {@code keyUse}: where each accepted account key's use is noted (written off the request path). */
    public Authenticator(Accounts accounts, String adminKeyHash, KeyUse keyUse) {
        this.accounts = accounts;
        this.adminKeyHash = adminKeyHash;
        this.keyUse = keyUse;
    }

    /** Reads the admin key from config or settings; generates and prints one on first start. */
    public static String bootstrapAdminKey(Database db, String configured) {
        Jdbi jdbi = db.jdbi();
        if (configured != null && !configured.isBlank()) {
            if (!ApiKeys.looksValid(configured.trim())) {
                throw new IllegalArgumentException("HEARTH_ADMIN_KEY (admin.key) must be SG_ followed by 32 letters or digits, like the"
                        + " keys Hearth issues; generate one with: echo SG_$(head -c 4096 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 32)");
            }
            return ApiKeys.hash(configured.trim());
        }
        String stored = jdbi.withHandle(h -> h.createQuery("SELECT value FROM settings WHERE name = 'admin_key_hash'")
                .mapTo(String.class).findOne().orElse(null));
        if (stored != null) return stored;
        String key = ApiKeys.generate();
        String hash = ApiKeys.hash(key);
        jdbi.useHandle(h -> h.execute("INSERT INTO settings (name, value) VALUES ('admin_key_hash', ?)", hash));
        log.warn("Generated the admin key (shown once, store it now): {}", key);
        System.out.println("Hearth admin key (shown once): " + key);
        return hash;
    }

    public Principal authenticate(String xApiKey, String authorization) {
        String key = xApiKey;
        if (key == null || key.isBlank()) {
            if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) key = authorization.substring(7).trim();
        }
        if (key == null || key.isBlank()) throw ApiException.unauthorized(MISSING);
        key = key.trim();
        if (!ApiKeys.looksValid(key)) throw ApiException.unauthorized(INVALID);
        String hash = ApiKeys.hash(key);
        if (ApiKeys.sameHash(hash, adminKeyHash)) return Principal.operator();
        Accounts.KeyOwner owner = accounts.findByKeyHash(hash).orElseThrow(() -> ApiException.unauthorized(INVALID));
        if (!ApiKeys.sameHash(hash, owner.keyHash())) throw ApiException.unauthorized(INVALID);
        if (owner.suspended()) throw ApiException.forbidden("Account " + owner.accountId() + " is suspended; contact the operator of this Hearth");
        keyUse.used(owner.keyId());
        return new Principal(owner.accountId(), owner.keyId(), false);
    }
}

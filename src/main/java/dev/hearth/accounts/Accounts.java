package dev.hearth.accounts;

import dev.hearth.billing.EntryKind;
import dev.hearth.billing.Ledger;
import dev.hearth.http.ApiException;
import dev.hearth.store.Database;
import org.jdbi.v3.core.Jdbi;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Accounts and their keys. Creating an account gives it its first key and its free credits in one
 * transaction, the credits as a ledger grant like any other.
 */
public final class Accounts {

    private final Jdbi jdbi;
    private final Ledger ledger;
    private final Clock clock;
    private final int maxKeysPerAccount;

    public Accounts(Database db, Ledger ledger, Clock clock) {
        this(db, ledger, clock, 50);
    }

    /** {@code maxKeysPerAccount}: keys (not revoked) one account may hold ({@code accounts.max_keys_per_account}). */
    public Accounts(Database db, Ledger ledger, Clock clock, int maxKeysPerAccount) {
        this.jdbi = db.jdbi();
        this.ledger = ledger;
        this.clock = clock;
        this.maxKeysPerAccount = maxKeysPerAccount;
    }

    public record Created(String accountId, NewKey key) {
    }

    public Created create(String name, String plan, long freeCredits) {
        String accountId = "acc_" + ApiKeys.randomText(20);
        return jdbi.inTransaction(h -> {
            h.createUpdate("INSERT INTO accounts (id, name, plan, status, created_at) VALUES (:id, :name, :plan, 'active', :now)")
                    .bind("id", accountId).bind("name", name).bind("plan", plan).bind("now", clock.millis()).execute();
            if (freeCredits > 0) {
                ledger.grantIn(h, accountId, freeCredits, Ledger.CreditKind.FREE, "signup", EntryKind.GRANT, "free credits for a new account");
            }
            NewKey key = insertKey(h, accountId, "default");
            return new Created(accountId, key);
        });
    }

    /** A new key named by {@code body}'s {@code name} (optional, see {@link KeyName}); 422 once the account holds its most keys. */
    public NewKey createKey(String accountId, com.fasterxml.jackson.databind.JsonNode body) {
        String name = KeyName.of(body);
        require(accountId);
        return jdbi.inTransaction(h -> {
            int have = h.createQuery("SELECT COUNT(*) FROM api_keys WHERE account_id = :acc AND revoked_at IS NULL")
                    .bind("acc", accountId).mapTo(Integer.class).one();
            if (have >= maxKeysPerAccount) {
                throw ApiException.invalid("This account already has " + have + " keys, the most it may have "
                        + "(accounts.max_keys_per_account); revoke one first");
            }
            return insertKey(h, accountId, name);
        });
    }

    private NewKey insertKey(org.jdbi.v3.core.Handle h, String accountId, String name) {
        String key = ApiKeys.generate();
        String keyId = "key_" + ApiKeys.randomText(16);
        h.createUpdate("INSERT INTO api_keys (id, account_id, key_hash, prefix, name, created_at) VALUES (:id, :acc, :hash, :prefix, :name, :now)")
                .bind("id", keyId).bind("acc", accountId).bind("hash", ApiKeys.hash(key)).bind("prefix", ApiKeys.displayPrefix(key))
                .bind("name", name).bind("now", clock.millis()).execute();
        return new NewKey(keyId, key);
    }

    /**
     * Revokes a key. With an owner, only that account's keys can be revoked (another account's key id answers
     * 404 as if it did not exist); without one (admin), any key.
     */
    public void revokeKey(String keyId, String ownerAccountId) {
        int n = jdbi.withHandle(h -> h.createUpdate("UPDATE api_keys SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL"
                        + (ownerAccountId == null ? "" : " AND account_id = :acc"))
                .bind("now", clock.millis()).bind("id", keyId).bind("acc", ownerAccountId).execute());
        if (n == 0) throw ApiException.notFound("Key " + keyId + " not found");
        keyCache.clear();
    }

    public List<ApiKey> keys(String accountId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM api_keys WHERE account_id = :acc ORDER BY created_at, id")
                .bind("acc", accountId).map((rs, ctx) -> mapKey(rs)).list());
    }

    /**
     * Recently seen keys, so a busy key is not looked up in the database on every request. Revoking a key or
     * suspending an account on this node clears it at once; other nodes of a cluster notice within
     * {@link #KEY_CACHE_NANOS}.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, CachedKey> keyCache = new java.util.concurrent.ConcurrentHashMap<>();
    private static final long KEY_CACHE_NANOS = 5_000_000_000L;

    private record CachedKey(Optional<KeyOwner> owner, long expiresAtNanos) {
    }

    /** The account and key behind a key hash, if the key exists and is not revoked. */
    public Optional<KeyOwner> findByKeyHash(String hash) {
        long now = System.nanoTime();
        CachedKey c = keyCache.get(hash);
        if (c != null && now - c.expiresAtNanos < 0) return c.owner;
        Optional<KeyOwner> owner = lookUpKey(hash);
        // unknown keys are not cached: a flood of random keys must not grow the map
        if (owner.isPresent()) {
            if (keyCache.size() > 100_000) keyCache.clear();
            keyCache.put(hash, new CachedKey(owner, now + KEY_CACHE_NANOS));
        }
        return owner;
    }

    private Optional<KeyOwner> lookUpKey(String hash) {
        return jdbi.withHandle(h -> h.createQuery("SELECT k.id AS key_id, k.key_hash, a.id AS account_id, a.status FROM api_keys k "
                        + "JOIN accounts a ON a.id = k.account_id WHERE k.key_hash = :hash AND k.revoked_at IS NULL")
                .bind("hash", hash)
                .map((rs, ctx) -> new KeyOwner(rs.getString("key_id"), rs.getString("key_hash"), rs.getString("account_id"),
                        "suspended".equals(rs.getString("status"))))
                .findOne());
    }

    public record KeyOwner(String keyId, String keyHash, String accountId, boolean suspended) {
    }

    public Optional<Account> find(String accountId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM accounts WHERE id = :id").bind("id", accountId)
                .map((rs, ctx) -> mapAccount(rs)).findOne());
    }

    public Account require(String accountId) {
        return find(accountId).orElseThrow(() -> ApiException.notFound("Account " + accountId + " not found"));
    }

    public List<Account> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM accounts ORDER BY created_at, id").map((rs, ctx) -> mapAccount(rs)).list());
    }

    public void setPlan(String accountId, String plan) {
        update(accountId, "plan", plan);
    }

    public void setStatus(String accountId, String status) {
        update(accountId, "status", status);
        keyCache.clear();
    }

    private void update(String accountId, String column, String value) {
        int n = jdbi.withHandle(h -> h.createUpdate("UPDATE accounts SET " + column + " = :v WHERE id = :id")
                .bind("v", value).bind("id", accountId).execute());
        if (n == 0) throw ApiException.notFound("Account " + accountId + " not found");
    }

    private static Account mapAccount(ResultSet rs) throws SQLException {
        return new Account(rs.getString("id"), rs.getString("name"), rs.getString("plan"), rs.getString("status"),
                rs.getLong("paid_balance"), rs.getLong("free_balance"), rs.getLong("held"), rs.getLong("created_at"));
    }

    private static ApiKey mapKey(ResultSet rs) throws SQLException {
        long lastUsed = rs.getLong("last_used_at");
        Long lastUsedAt = rs.wasNull() ? null : lastUsed;
        long revoked = rs.getLong("revoked_at");
        Long revokedAt = rs.wasNull() ? null : revoked;
        return new ApiKey(rs.getString("id"), rs.getString("account_id"), rs.getString("prefix"), rs.getString("name"),
                rs.getLong("created_at"), lastUsedAt, revokedAt);
    }
}

package dev.hearth.storage;

import dev.hearth.store.Database;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

import java.util.List;
import java.util.Optional;

/** The {@code assets} table: who owns which stored file, of what type and size, until when. */
final class Assets {

    private static final RowMapper<StoredObject> ROW = (rs, ctx) -> new StoredObject(rs.getString("id"), rs.getString("account_id"),
            StoredObject.Kind.fromDb(rs.getString("kind")), rs.getString("content_type"), rs.getLong("size"), rs.getString("sha256"),
            rs.getLong("created_at"), nullableLong(rs, "expires_at"));

    private static Long nullableLong(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private final Database db;

    Assets(Database db) {
        this.db = db;
    }

    Database db() {
        return db;
    }

    void insert(Handle h, StoredObject o) {
        h.createUpdate("INSERT INTO assets (id, account_id, kind, content_type, size, sha256, created_at, expires_at) "
                        + "VALUES (:id, :account, :kind, :type, :size, :sha, :created, :expires)")
                .bind("id", o.id()).bind("account", o.accountId()).bind("kind", o.kind().dbName()).bind("type", o.contentType())
                .bind("size", o.size()).bind("sha", o.sha256()).bind("created", o.createdAt()).bind("expires", o.expiresAt())
                .execute();
    }

    Optional<StoredObject> find(String id) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT * FROM assets WHERE id = :id").bind("id", id).map(ROW).findOne());
    }

    List<StoredObject> list(String accountId, StoredObject.Kind kind, int limit, int offset) {
        String where = kind == null ? "" : " AND kind = :kind";
        return db.jdbi().withHandle(h -> {
            var q = h.createQuery("SELECT * FROM assets WHERE account_id = :account" + where
                    + " ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset");
            q.bind("account", accountId).bind("limit", limit).bind("offset", offset);
            if (kind != null) q.bind("kind", kind.dbName());
            return q.map(ROW).list();
        });
    }

    /** Bytes of uploads held by an account: what its storage quota counts. */
    long uploadedBytes(Handle h, String accountId) {
        return h.createQuery("SELECT COALESCE(SUM(size), 0) FROM assets WHERE account_id = :account AND kind = 'asset'")
                .bind("account", accountId).mapTo(Long.class).one();
    }

    long uploadedBytes(String accountId) {
        return db.jdbi().withHandle(h -> uploadedBytes(h, accountId));
    }

    /** Serialises uploads of one account on PostgreSQL (SQLite transactions already take the write lock). */
    void lockAccount(Handle h, String accountId) {
        if (db.dialect() == Database.Dialect.POSTGRESQL) {
            h.createQuery("SELECT id FROM accounts WHERE id = :id FOR UPDATE").bind("id", accountId).mapTo(String.class).findOne();
        }
    }

    /** Deletes the row if {@code accountId} owns it; true when a row went. */
    boolean delete(String id, String accountId) {
        return db.jdbi().withHandle(h -> h.createUpdate("DELETE FROM assets WHERE id = :id AND account_id = :account")
                .bind("id", id).bind("account", accountId).execute()) > 0;
    }

    boolean delete(String id) {
        return db.jdbi().withHandle(h -> h.createUpdate("DELETE FROM assets WHERE id = :id").bind("id", id).execute()) > 0;
    }

    List<String> expired(long now, int limit) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM assets WHERE expires_at IS NOT NULL AND expires_at <= :now "
                + "ORDER BY expires_at LIMIT :limit").bind("now", now).bind("limit", limit).mapTo(String.class).list());
    }
}

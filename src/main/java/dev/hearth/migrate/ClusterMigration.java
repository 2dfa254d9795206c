package dev.hearth.migrate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;
import dev.hearth.storage.BlobStore;
import dev.hearth.store.Database;
import org.jdbi.v3.core.Handle;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code hearth migrate}: copies an embedded install (SQLite + files in the data folder) into a cluster's stores
 * (PostgreSQL + a bucket), then proves the copy. Every table is copied row for row in the order its migration
 * created it (parents before the rows that reference them), identity sequences are moved past the copied ids, and
 * every blob an {@code assets} row names is written to the bucket. The proof: each table's row count and a
 * checksum of its rows (order-free, so the two databases' sort orders do not matter) are equal on both sides, and
 * every blob read back from the bucket has the SHA-256 its row recorded. A target that already holds any row or
 * any of the blobs is refused before anything is written, so the command can never merge two installs.
 */
public final class ClusterMigration {

    /** Raised when the copy cannot start or does not verify; the message says which table or blob. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    private final Database source;
    private final BlobStore sourceBlobs;
    private final Database target;
    private final BlobStore targetBlobs;

    public ClusterMigration(Database source, BlobStore sourceBlobs, Database target, BlobStore targetBlobs) {
        if (source.dialect() != Database.Dialect.SQLITE) throw new Refused("the source must be an embedded install (SQLite)");
        if (target.dialect() != Database.Dialect.POSTGRESQL) throw new Refused("the target database must be PostgreSQL (set database.url)");
        this.source = source;
        this.sourceBlobs = sourceBlobs;
        this.target = target;
        this.targetBlobs = targetBlobs;
    }

    /** Copies and verifies; returns the report printed by the command (tables with counts and checksums, blobs). */
    public ObjectNode run() {
        List<String> tables = source.jdbi().withHandle(h -> h.createQuery(
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'flyway_schema_history' ORDER BY rowid")
                .mapTo(String.class).list());
        List<String[]> blobs = source.jdbi().withHandle(h -> h.createQuery("SELECT id, sha256 FROM assets ORDER BY id")
                .map((rs, ctx) -> new String[]{rs.getString(1), rs.getString(2)}).list());
        refuseNonEmptyTarget(tables, blobs);

        target.jdbi().useTransaction(t -> source.jdbi().useHandle(s -> {
            for (String table : tables) copy(s, t, table);
            for (String table : tables) moveIdentityPast(t, table);
        }));
        long bytes = copyBlobs(blobs);

        ObjectNode report = Json.object();
        ObjectNode tablesJson = report.putObject("tables");
        for (String table : tables) {
            Fingerprint from = source.jdbi().withHandle(h -> fingerprint(h, table));
            Fingerprint to = target.jdbi().withHandle(h -> fingerprint(h, table));
            if (!from.equals(to)) {
                throw new Refused("table " + table + " did not verify: " + from.rows + " rows (" + from.sha256 + ") in SQLite, "
                        + to.rows + " rows (" + to.sha256 + ") in PostgreSQL");
            }
            tablesJson.putObject(table).put("rows", to.rows).put("sha256", to.sha256);
        }
        report.putObject("blobs").put("count", blobs.size()).put("bytes", bytes);
        report.put("verified", true);
        return report;
    }

    private void refuseNonEmptyTarget(List<String> tables, List<String[]> blobs) {
        for (String table : tables) {
            long rows = target.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM " + table).mapTo(Long.class).one());
            if (rows > 0) throw new Refused("the target database is not empty (" + table + " has " + rows + " rows); migrate only into a fresh database");
        }
        for (String[] b : blobs) {
            if (targetBlobs.exists(b[0])) throw new Refused("the target bucket already holds " + b[0] + "; migrate only into an empty bucket or prefix");
        }
    }

    private static void copy(Handle from, Handle to, String table) {
        try (var st = from.getConnection().createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
            ResultSetMetaData md = rs.getMetaData();
            int n = md.getColumnCount();
            StringBuilder cols = new StringBuilder();
            StringBuilder marks = new StringBuilder();
            for (int i = 1; i <= n; i++) {
                if (i > 1) {
                    cols.append(", ");
                    marks.append(", ");
                }
                cols.append(md.getColumnName(i));
                marks.append('?');
            }
            try (var insert = to.getConnection().prepareStatement("INSERT INTO " + table + " (" + cols + ") VALUES (" + marks + ")")) {
                int batched = 0;
                while (rs.next()) {
                    for (int i = 1; i <= n; i++) insert.setObject(i, rs.getObject(i));
                    insert.addBatch();
                    if (++batched % 500 == 0) insert.executeBatch();
                }
                insert.executeBatch();
            }
        } catch (SQLException e) {
            throw new Refused("copying table " + table + " failed (nothing was committed): " + e.getMessage());
        }
    }

    /** Rows were inserted with their ids, so a GENERATED identity would hand out ids already taken. */
    private static void moveIdentityPast(Handle h, String table) {
        List<String> identities = h.createQuery("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                + "AND table_name = :t AND is_identity = 'YES'").bind("t", table).mapTo(String.class).list();
        for (String column : identities) {
            h.createQuery("SELECT setval(pg_get_serial_sequence(:t, :c), GREATEST(1, (SELECT COALESCE(MAX(" + column + "), 0) FROM " + table + ")), "
                    + "(SELECT COUNT(*) > 0 FROM " + table + "))").bind("t", table).bind("c", column).mapTo(Long.class).one();
        }
    }

    private long copyBlobs(List<String[]> blobs) {
        long bytes = 0;
        for (String[] b : blobs) {
            String id = b[0];
            try {
                byte[] content = sourceBlobs.read(id);
                BlobStore.Written w = targetBlobs.put(id, content);
                if (!w.sha256().equals(b[1])) throw new Refused("blob " + id + " does not match its recorded SHA-256 in the source install");
                if (!sha256(targetBlobs.read(id)).equals(b[1])) throw new Refused("blob " + id + " read back from the bucket does not match its SHA-256");
                bytes += content.length;
            } catch (IOException e) {
                throw new Refused("copying blob " + id + " failed: " + e.getMessage());
            }
        }
        return bytes;
    }

    /** Row count and an order-free SHA-256 of a table's rows (each row hashed, the sorted row hashes hashed). */
    record Fingerprint(long rows, String sha256) {
    }

    static Fingerprint fingerprint(Handle h, String table) {
        List<String> rowHashes = new ArrayList<>();
        try (var st = h.getConnection().createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
            ResultSetMetaData md = rs.getMetaData();
            Map<String, Integer> byName = new LinkedHashMap<>();
            for (int i = 1; i <= md.getColumnCount(); i++) byName.put(md.getColumnName(i).toLowerCase(), i);
            List<String> names = new ArrayList<>(byName.keySet());
            names.sort(null);
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (String name : names) row.append(name).append('=').append(canonical(rs.getObject(byName.get(name)))).append('\u0001');
                rowHashes.add(sha256(row.toString().getBytes(StandardCharsets.UTF_8)));
            }
        } catch (SQLException e) {
            throw new Refused("reading table " + table + " to verify it failed: " + e.getMessage());
        }
        rowHashes.sort(null);
        return new Fingerprint(rowHashes.size(), sha256(String.join("\n", rowHashes).getBytes(StandardCharsets.UTF_8)));
    }

    /** The same value reads as the same text from SQLite (Integer, Long, Double) and PostgreSQL (Long, Integer, Boolean). */
    private static String canonical(Object v) {
        if (v == null) return "\u0000";
        if (v instanceof Boolean b) return b ? "1" : "0";
        if (v instanceof Number n) return new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
        if (v instanceof byte[] bytes) return HexFormat.of().formatHex(bytes);
        return v.toString();
    }

    private static String sha256(byte[] bytes) {
        return BlobStore.sha256(bytes);
    }
}

package dev.hearth.billing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Prepared statements kept open on one connection for as long as that connection is used, so a settlement's
 * statements are parsed and planned once per connection instead of once per batch (JDBI prepares, binds by name
 * and closes a statement on every use: the largest cost of a settlement after the commit itself).
 * <p>
 * One thread at a time uses it (the commit leader). Its owner closes it together with the connection after any
 * failure, so a statement left with half a batch added, or bound for a transaction that rolled back, is never
 * executed again: the next batch prepares fresh ones.
 */
final class CachedStatements implements AutoCloseable {

    private final Connection connection;
    private final Map<String, PreparedStatement> bySql = new HashMap<>();
    private boolean closed;

    CachedStatements(Connection connection) {
        this.connection = connection;
    }

    /** The statement for {@code sql} on this connection, prepared on first use. */
    PreparedStatement get(String sql) throws SQLException {
        if (closed) throw new IllegalStateException("these statements were closed with their connection");
        PreparedStatement s = bySql.get(sql);
        if (s == null) {
            s = connection.prepareStatement(sql);
            bySql.put(sql, s);
        }
        return s;
    }

    /** Whether these statements belong to {@code c} (a reopened connection needs statements of its own). */
    boolean on(Connection c) {
        return connection == c && !closed;
    }

    /** How many statements are cached (for tests). */
    int size() {
        return bySql.size();
    }

    @Override
    public void close() {
        closed = true;
        for (PreparedStatement s : bySql.values()) {
            try {
                s.close();
            } catch (SQLException ignored) {
                // the connection is broken or gone: nothing is left to release
            }
        }
        bySql.clear();
    }
}

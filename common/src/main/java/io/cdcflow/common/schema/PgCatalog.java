package io.cdcflow.common.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What PostgreSQL's catalog says of types and tables, over any JDBC connection: a type by OID and modifier (array
 * element, domain base, enum labels resolved), and a table's columns and primary key. Types do not change under an
 * OID (enums can gain labels), so they are cached per (OID, modifier) for the life of an instance.
 */
public final class PgCatalog {
    private final Map<Long, SqlType> types = new HashMap<>();

    /** A type as {@code format_type} and {@code pg_type} describe it; "unknown" when the OID is gone. */
    public SqlType type(Connection c, int oid, int typmod) throws SQLException {
        long cacheKey = ((long) oid << 32) | (typmod & 0xFFFFFFFFL);
        SqlType cached = types.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        SqlType type;
        try (PreparedStatement s = c.prepareStatement("SELECT t.typname, format_type(t.oid, NULLIF(?, -1)), t.typtype, "
                + "t.typcategory, t.typelem::int, t.typbasetype::int, t.typtypmod FROM pg_type t WHERE t.oid = ?")) {
            s.setInt(1, typmod);
            s.setInt(2, oid);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    // A type dropped since the WAL was written: its values are published as text.
                    return SqlType.of(oid, "unknown", typmod);
                }
                String name = rs.getString(1);
                String shown = rs.getString(2);
                char kind = rs.getString(3).charAt(0);
                char category = rs.getString(4).charAt(0);
                int element = rs.getInt(5);
                int base = rs.getInt(6);
                int baseTypmod = rs.getInt(7);
                if (kind == 'd') {
                    type = new SqlType(oid, name, shown, typmod, null, type(c, base, baseTypmod), null);
                } else if (kind == 'e') {
                    type = new SqlType(oid, name, shown, typmod, null, null, labels(c, oid));
                } else if (category == 'A' && element != 0) {
                    // An array column's modifier is its element's: numeric(10,2)[].
                    type = new SqlType(oid, name, shown, typmod, type(c, element, typmod), null, null);
                } else {
                    type = new SqlType(oid, name, shown, typmod, null, null, null);
                }
            }
        }
        types.put(cacheKey, type);
        return type;
    }

    /**
     * A table as the catalog has it now, keyed by its primary key (empty when it has none); null when there is no
     * such table.
     *
     * @param qualified the table as SQL names it: {@code public."Order"}
     */
    public RowSchema table(Connection c, String schema, String table, String qualified) throws SQLException {
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT a.attname, a.atttypid::int, a.atttypmod, a.attnotnull FROM pg_attribute a "
                + "WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            s.setString(1, qualified);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    columns.add(new Column(rs.getString(1), type(c, rs.getInt(2), rs.getInt(3)), rs.getBoolean(4)));
                }
            }
        }
        if (columns.isEmpty()) {
            return null;
        }
        List<String> key = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT a.attname FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) "
                + "WITH ORDINALITY AS k(attnum, n) JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                + "WHERE i.indrelid = to_regclass(?) AND i.indisprimary ORDER BY k.n")) {
            s.setString(1, qualified);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    key.add(rs.getString(1));
                }
            }
        }
        return RowSchema.table(schema, table, 0, columns, key);
    }

    private static List<String> labels(Connection c, int oid) throws SQLException {
        List<String> labels = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT enumlabel FROM pg_enum WHERE enumtypid = ? ORDER BY enumsortorder")) {
            s.setInt(1, oid);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    labels.add(rs.getString(1));
                }
            }
        }
        return labels;
    }
}

package io.cdcflow.wal.schema;

import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SqlType;
import io.cdcflow.wal.pgoutput.PgOutputMessage;
import io.cdcflow.wal.pgoutput.PgOutputMessage.Relation;
import io.cdcflow.wal.setup.Identifiers;
import io.cdcflow.wal.setup.PostgresConnector;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Table schemas from what pgoutput sent (column names, type OIDs and modifiers, in order: authoritative, also when
 * old WAL is replayed after an ALTER) completed from the catalog: NOT NULL, and what each type is (array element,
 * domain base, enum labels). NOT NULL is taken only for a column whose name and type still match the catalog; any
 * doubt makes a column nullable, which fits every value.
 */
public final class CatalogSchemas implements SchemaSource {
    private final PostgresConnector connector;
    /** Types do not change under an OID, except enums gaining labels: cached per (OID, modifier) for a session. */
    private final Map<Long, SqlType> types = new HashMap<>();

    public CatalogSchemas(PostgresConnector connector) {
        this.connector = connector;
    }

    @Override
    public RowSchema describe(Relation relation, List<String> keyColumns, long lsn) {
        try (Connection c = connector.connect()) {
            Map<String, Integer> notNull = notNullColumns(c, relation);
            List<Column> columns = new ArrayList<>();
            for (PgOutputMessage.Column column : relation.columns()) {
                SqlType type = type(c, column.typeOid(), column.typeModifier());
                Integer catalogType = notNull.get(column.name());
                boolean required = keyColumns.contains(column.name())
                        || (catalogType != null && catalogType == column.typeOid());
                columns.add(new Column(column.name(), type, required));
            }
            return RowSchema.table(relation.schema(), relation.table(), lsn, columns, keyColumns);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the catalog to describe " + relation.schema() + "." + relation.table()
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * A table as the catalog has it now, in the shape of a Relation message (key columns flagged as {@code pk}):
     * for the snapshot, and for publishing every table's schema before the first record.
     */
    public static Relation relation(Connection c, String schema, String table, List<String> pk) throws SQLException {
        List<PgOutputMessage.Column> columns = new ArrayList<>();
        int oid = 0;
        try (PreparedStatement s = c.prepareStatement("SELECT a.attrelid::int, a.attname, a.atttypid::int, a.atttypmod "
                + "FROM pg_attribute a WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            s.setString(1, Identifiers.qualified(schema, table));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    oid = rs.getInt(1);
                    columns.add(new PgOutputMessage.Column(pk.contains(rs.getString(2)), rs.getString(2), rs.getInt(3), rs.getInt(4)));
                }
            }
        }
        return new Relation(oid, schema, table, PgOutputMessage.ReplicaIdentity.DEFAULT, List.copyOf(columns));
    }

    /** Describes a table as the catalog has it now, keyed by {@code pk}. */
    public RowSchema describeNow(String schema, String table, List<String> pk, long lsn) {
        try (Connection c = connector.connect()) {
            return describe(relation(c, schema, table, pk), pk, lsn);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the catalog to describe " + schema + "." + table + ": " + e.getMessage(), e);
        }
    }

    /** NOT NULL columns of the table as the catalog has it now, with their type OIDs. */
    private static Map<String, Integer> notNullColumns(Connection c, Relation relation) throws SQLException {
        Map<String, Integer> columns = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT a.attname, a.atttypid::int FROM pg_attribute a "
                + "WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull")) {
            s.setString(1, Identifiers.qualified(relation.schema(), relation.table()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    columns.put(rs.getString(1), rs.getInt(2));
                }
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return columns; // dropped since: its WAL replays with every column nullable
            }
            throw e;
        }
        return columns;
    }

    private SqlType type(Connection c, int oid, int typmod) throws SQLException {
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

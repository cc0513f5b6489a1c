package io.cdcflow.wal.schema;

import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.PgCatalog;
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
    private final PgCatalog catalog = new PgCatalog();

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
            return RowSchema.table(relation.schema(), relation.table(), lsn, columns, keyColumns)
                    .withEstimatedRows(estimatedRows(c, relation));
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

    /**
     * NOT NULL columns of the relation as the catalog has it now, with their type OIDs; looked up by the OID pgoutput
     * sent, so a renamed table is still found and a dropped one has none (its WAL replays with every column nullable).
     */
    private static Map<String, Integer> notNullColumns(Connection c, Relation relation) throws SQLException {
        Map<String, Integer> columns = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT a.attname, a.atttypid::int FROM pg_attribute a "
                + "WHERE a.attrelid = ?::oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull")) {
            s.setString(1, Integer.toUnsignedString(relation.oid()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    columns.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return columns;
    }

    /**
     * How many rows PostgreSQL estimates the table has (the streams-app joins small tables inside each task; the
     * snapshot's progress): the larger of the planner's {@code reltuples} (-1 before the first VACUUM or ANALYZE) and
     * the statistics collector's live rows; -1 when the table is gone.
     */
    public static long estimatedRows(Connection c, Relation relation) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT GREATEST(c.reltuples::bigint, COALESCE(s.n_live_tup, 0), 0) "
                + "FROM pg_class c LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid WHERE c.oid = ?::oid")) {
            s.setString(1, Integer.toUnsignedString(relation.oid()));
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    private SqlType type(Connection c, int oid, int typmod) throws SQLException {
        return catalog.type(c, oid, typmod);
    }
}

package io.cdcflow.wal.stream;

import io.cdcflow.wal.setup.Identifiers;
import io.cdcflow.wal.setup.PostgresConnector;
import io.cdcflow.wal.types.PgType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Catalog look-ups the change assembler needs, over a regular connection: primary keys and types pgoutput did not
 * describe. Not cached: the assembler asks once per Relation message, which PostgreSQL sends once per table and
 * session and again after an ALTER TABLE, so a changed key is picked up.
 */
public final class CatalogLookups implements PrimaryKeys {
    private final PostgresConnector connector;

    public CatalogLookups(PostgresConnector connector) {
        this.connector = connector;
    }

    @Override
    public List<String> of(String schema, String table) {
        return primaryKey("?::regclass", Identifiers.qualified(schema, table), schema + "." + table);
    }

    @Override
    public List<String> ofRelation(int oid, String schema, String table) {
        return primaryKey("?::oid", Integer.toUnsignedString(oid), schema + "." + table + " (OID " + Integer.toUnsignedString(oid) + ")");
    }

    private List<String> primaryKey(String relation, String value, String name) {
        try (Connection c = connector.connect();
             PreparedStatement s = c.prepareStatement("SELECT a.attname FROM pg_index i "
                     + "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                     + "WHERE i.indrelid = " + relation + " AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)")) {
            s.setString(1, value);
            List<String> columns = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
            return List.copyOf(columns);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the primary key of " + name + ": " + e.getMessage(), e);
        }
    }

    /** A type from pg_type, or null when the OID is unknown. */
    public PgType type(int oid) {
        try (Connection c = connector.connect();
             PreparedStatement s = c.prepareStatement("SELECT typname, typcategory, typelem::int, typbasetype::int FROM pg_type WHERE oid = ?")) {
            s.setInt(1, oid);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new PgType(oid, rs.getString(1), rs.getString(2).charAt(0), rs.getInt(3), rs.getInt(4)) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read type OID " + oid + " from pg_type: " + e.getMessage(), e);
        }
    }
}

package io.cdcflow.writer.schema;

import io.cdcflow.common.schema.MetaColumns;
import java.util.stream.Collectors;

/**
 * The DDL the writer runs, as plain strings: one ReplacingMergeTree table per source table or fact, ordered by its
 * primary key, versioned by {@code _version}, and a {@code <table>_current} view showing the latest version of each
 * live row. Every identifier is quoted, so any PostgreSQL column name works.
 */
public final class ReplacingMergeTreeDdl {
    private final String database;
    private final ServerInfo server;

    public ReplacingMergeTreeDdl(String database, ServerInfo server) {
        this.database = database;
        this.server = server;
    }

    public static String quote(String identifier) {
        return "`" + identifier.replace("\\", "\\\\").replace("`", "\\`") + "`";
    }

    /** A string literal for ClickHouse SQL. */
    public static String literal(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    public String qualified(String table) {
        return quote(database) + "." + quote(table);
    }

    public String createDatabase() {
        return "CREATE DATABASE IF NOT EXISTS " + quote(database);
    }

    public String createTable(TableSchema schema) {
        String columns = schema.columns().entrySet().stream()
                .map(c -> quote(c.getKey()) + " " + c.getValue().declaration())
                .collect(Collectors.joining(", "));
        MetaColumns meta = schema.meta();
        String version = quote(meta.version());
        String engine = "ReplacingMergeTree(" + version + (server.hasIsDeletedColumn() ? ", " + quote(meta.deleted()) : "") + ")";
        String orderBy = schema.keyColumns().stream().map(ReplacingMergeTreeDdl::quote).collect(Collectors.joining(", "));
        return "CREATE TABLE IF NOT EXISTS " + qualified(schema.table()) + " (" + columns
                + ", " + version + " " + schema.versionType() + ", " + quote(meta.deleted()) + " UInt8, " + quote(meta.ingestedAt())
                + " DateTime DEFAULT now()) ENGINE = "
                + engine + " ORDER BY (" + orderBy + ")";
    }

    /** The table and column list of a batch's INSERT, every name quoted (the client's own list joins them unquoted). */
    public String insertTarget(String table, java.util.List<String> columns) {
        return qualified(table) + " (" + columns.stream().map(ReplacingMergeTreeDdl::quote).collect(Collectors.joining(", ")) + ")";
    }

    /** A new column goes before the writer's own columns, so that {@code SELECT *} lists the source's first. */
    public String addColumn(String table, String column, ClickHouseType type, String after) {
        return "ALTER TABLE " + qualified(table) + " ADD COLUMN " + (server.hasAddColumnIfNotExists() ? "IF NOT EXISTS " : "")
                + quote(column) + " " + type.declaration() + (after == null ? "" : " AFTER " + quote(after));
    }

    public String dropColumn(String table, String column) {
        return "ALTER TABLE " + qualified(table) + " DROP COLUMN " + (server.hasAddColumnIfNotExists() ? "IF EXISTS " : "") + quote(column);
    }

    public String modifyColumn(String table, String column, ClickHouseType type) {
        return "ALTER TABLE " + qualified(table) + " MODIFY COLUMN " + quote(column) + " " + type.declaration();
    }

    /** Deletes every row written before a truncate of the source table. */
    public String deleteBefore(TableSchema schema, String version) {
        return "ALTER TABLE " + qualified(schema.table()) + " DELETE WHERE " + quote(schema.meta().version()) + " < " + version
                + (server.hasMutationsSync() ? " SETTINGS mutations_sync = 2" : "");
    }

    public String currentView(TableSchema schema) {
        String table = schema.table();
        return "CREATE VIEW IF NOT EXISTS " + qualified(table + "_current") + " AS SELECT * FROM " + qualified(table)
                + " FINAL WHERE " + quote(schema.meta().deleted()) + " = 0";
    }

    /** A view's columns are fixed when it is created: after a column changes it is made again. */
    public String dropCurrentView(String table) {
        return "DROP TABLE IF EXISTS " + qualified(table + "_current");
    }
}

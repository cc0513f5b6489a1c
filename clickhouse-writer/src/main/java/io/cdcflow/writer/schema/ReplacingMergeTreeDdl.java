package io.cdcflow.writer.schema;

import java.util.stream.Collectors;

/**
 * The DDL the writer runs, as plain strings: one ReplacingMergeTree table per output topic, ordered by the key,
 * versioned by {@code _version}, and a {@code <table>_current} view showing the latest version of each live row.
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

    public String qualified(String table) {
        return quote(database) + "." + quote(table);
    }

    public String createDatabase() {
        return "CREATE DATABASE IF NOT EXISTS " + quote(database);
    }

    public String createTable(TableSchema schema) {
        String columns = schema.columns().entrySet().stream()
                .map(c -> quote(c.getKey()) + " " + declaration(schema, c.getKey(), c.getValue()))
                .collect(Collectors.joining(", "));
        String engine = server.hasIsDeletedColumn() ? "ReplacingMergeTree(_version, _deleted)" : "ReplacingMergeTree(_version)";
        String orderBy = schema.keyColumns().stream().map(ReplacingMergeTreeDdl::quote).collect(Collectors.joining(", "));
        return "CREATE TABLE IF NOT EXISTS " + qualified(schema.table()) + " (" + columns
                + ", _version UInt64, _deleted UInt8, _ingested_at DateTime DEFAULT now()) ENGINE = " + engine
                + " ORDER BY (" + orderBy + ")";
    }

    public String addColumn(String table, String column, ColumnType type) {
        return "ALTER TABLE " + qualified(table) + " ADD COLUMN " + (server.hasAddColumnIfNotExists() ? "IF NOT EXISTS " : "")
                + quote(column) + " Nullable(" + type.ddl(server) + ")";
    }

    public String currentView(String table) {
        return "CREATE VIEW IF NOT EXISTS " + qualified(table + "_current") + " AS SELECT * FROM " + qualified(table)
                + " FINAL WHERE _deleted = 0";
    }

    /** A view's columns are fixed when it is created: after adding a column it is made again. */
    public String dropCurrentView(String table) {
        return "DROP TABLE IF EXISTS " + qualified(table + "_current");
    }

    private String declaration(TableSchema schema, String column, ColumnType type) {
        return schema.keyColumns().contains(column) ? type.ddl(server) : "Nullable(" + type.ddl(server) + ")";
    }

    /** The column type back from a declaration read in system.columns. */
    public static ColumnType typeOf(String declaration) {
        String d = declaration.replace("Nullable(", "");
        if (d.startsWith("Int") || d.startsWith("UInt64") || d.startsWith("UInt32")) {
            return ColumnType.INT64;
        }
        if (d.startsWith("Decimal")) {
            return ColumnType.DECIMAL;
        }
        if (d.startsWith("Float")) {
            return ColumnType.FLOAT64;
        }
        if (d.startsWith("Bool") || d.startsWith("UInt8")) {
            return ColumnType.BOOL;
        }
        if (d.startsWith("DateTime")) {
            return ColumnType.DATETIME;
        }
        return ColumnType.STRING;
    }
}

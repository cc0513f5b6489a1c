package io.cdcflow.writer.schema;

import io.cdcflow.common.schema.MetaColumns;
import java.util.stream.Collectors;

/**
 * The DDL the writer runs, as plain strings: one ReplacingMergeTree table per source table or fact, ordered by its
 * primary key, versioned by {@code _version}, and a {@code <table>_current} view showing the latest version of each
 * live row. Every identifier is quoted, so any PostgreSQL column name works. On replicas and clusters
 * ({@link ClusterLayout}) the tables are {@code ReplicatedReplacingMergeTree}, every statement runs {@code ON CLUSTER},
 * and a sharded table's rows live in {@code <table>_shard} behind a {@code Distributed} table sharded by a hash of
 * the key.
 */
public final class ReplacingMergeTreeDdl {
    private final String database;
    private final ServerInfo server;
    private final ClusterLayout layout;

    public ReplacingMergeTreeDdl(String database, ServerInfo server) {
        this(database, server, ClusterLayout.SINGLE_SERVER);
    }

    public ReplacingMergeTreeDdl(String database, ServerInfo server, ClusterLayout layout) {
        this.database = database;
        this.server = server;
        this.layout = layout;
    }

    public ClusterLayout layout() {
        return layout;
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
        return "CREATE DATABASE IF NOT EXISTS " + quote(database) + layout.onCluster();
    }

    /** The table holding the rows: the table itself, or on each shard {@code <table>_shard}. */
    public String createTable(TableSchema schema) {
        String columns = schema.columns().entrySet().stream()
                .map(c -> quote(c.getKey()) + " " + c.getValue().declaration())
                .collect(Collectors.joining(", "));
        MetaColumns meta = schema.meta();
        String version = quote(meta.version());
        String data = layout.dataTable(schema.table());
        String arguments = version + (server.hasIsDeletedColumn() ? ", " + quote(meta.deleted()) : "");
        String engine = layout.replicated()
                ? "ReplicatedReplacingMergeTree(" + literal(layout.zookeeperPath().replace("{database}", database).replace("{table}", data))
                        + ", " + literal(layout.replicaName()) + ", " + arguments + ")"
                : "ReplacingMergeTree(" + arguments + ")";
        String orderBy = schema.keyColumns().stream().map(ReplacingMergeTreeDdl::quote).collect(Collectors.joining(", "));
        return "CREATE TABLE IF NOT EXISTS " + qualified(data) + layout.onCluster() + " (" + columns
                + ", " + version + " " + schema.versionType() + ", " + quote(meta.deleted()) + " UInt8, " + quote(meta.ingestedAt())
                + " DateTime DEFAULT now()) ENGINE = "
                + engine + " ORDER BY (" + orderBy + ")";
    }

    /**
     * {@link #createTable} as {@code ATTACH}: on a server whose replica ZooKeeper already holds (the server failed
     * after registering it and before saving the table), the table is made from that replica's state instead of
     * registering a new one; a no-op on servers that have the table.
     */
    public String attachTable(TableSchema schema) {
        return "ATTACH" + createTable(schema).substring("CREATE".length());
    }

    /**
     * On a sharded cluster, the {@code Distributed} table every INSERT and query goes through, with the columns of
     * {@code <table>_shard}: each row goes to the shard a hash of its key picks, so all versions of a key meet there.
     */
    public String createDistributed(TableSchema schema) {
        String key = schema.keyColumns().stream().map(ReplacingMergeTreeDdl::quote).collect(Collectors.joining(", "));
        return "CREATE TABLE IF NOT EXISTS " + qualified(schema.table()) + layout.onCluster() + " AS " + qualified(layout.dataTable(schema.table()))
                + " ENGINE = Distributed(" + quote(layout.cluster()) + ", " + quote(database) + ", " + quote(layout.dataTable(schema.table()))
                + ", cityHash64(" + key + "))";
    }

    /**
     * A Distributed table's columns are fixed when it is made (and ClickHouse 18.16 refuses ALTER ON CLUSTER on it):
     * after the shards' columns change it is made again. It holds no rows: the writer's INSERTs are synchronous.
     */
    public String dropDistributed(String table) {
        return "DROP TABLE IF EXISTS " + qualified(table) + layout.onCluster();
    }

    /** The table and column list of a batch's INSERT, every name quoted (the client's own list joins them unquoted). */
    public String insertTarget(String table, java.util.List<String> columns) {
        return qualified(table) + " (" + columns.stream().map(ReplacingMergeTreeDdl::quote).collect(Collectors.joining(", ")) + ")";
    }

    /**
     * The table a retried batch is parsed into before it is compared with what landed ({@code .cdcflow.retry.<writer>.<table>}):
     * in memory, on the server the writer talks to, never {@code ON CLUSTER}, dropped after use.
     */
    public static String retryTable(String table, String writer) {
        return ".cdcflow.retry." + writer + "." + table;
    }

    public String createRetryTable(String table, String retryTable) {
        return "CREATE TABLE " + qualified(retryTable) + " AS " + qualified(table) + " ENGINE = Memory";
    }

    public String dropRetryTable(String retryTable) {
        return "DROP TABLE IF EXISTS " + qualified(retryTable);
    }

    /** Whether any row of the retry table has a key the table holds. */
    public String anyKeyLanded(TableSchema schema, String retryTable) {
        return "SELECT count() AS n FROM " + qualified(schema.table()) + " WHERE " + keysInRetryTable(schema, retryTable);
    }

    /**
     * For each row of the retry table, in the order it was inserted, whether it equals (key, version and every column
     * of {@code columns}) the row {@code FINAL} shows for its key: the newest version, the last one written among equal
     * versions. Values are compared as ClickHouse prints them, so NULLs and arrays compare equal too.
     */
    public String rowsShownByFinal(TableSchema schema, String retryTable, java.util.List<String> columns) {
        String key = schema.keyColumns().stream().map(ReplacingMergeTreeDdl::quote).collect(Collectors.joining(", "));
        String row = "(" + key + ", " + quote(schema.meta().version()) + ", cityHash64(toString(tuple("
                + columns.stream().map(ReplacingMergeTreeDdl::quote).collect(Collectors.joining(", ")) + "))))";
        return "SELECT " + row + " IN (SELECT " + row.substring(1, row.length() - 1) + " FROM " + qualified(schema.table())
                + " FINAL WHERE " + keysInRetryTable(schema, retryTable) + ") AS `.cdcflow.shown` FROM " + qualified(retryTable)
                + " SETTINGS max_threads = 1";
    }

    private String keysInRetryTable(TableSchema schema, String retryTable) {
        String key = "(" + schema.keyColumns().stream().map(ReplacingMergeTreeDdl::quote).collect(Collectors.joining(", ")) + ")";
        // a sharded table's shards do not have the retry table: the keys go to them with the query
        return key + (layout.sharded() ? " GLOBAL IN " : " IN ") + "(SELECT " + key.substring(1, key.length() - 1) + " FROM "
                + qualified(retryTable) + ")";
    }

    /** A new column goes before the writer's own columns, so that {@code SELECT *} lists the source's first. */
    public String addColumn(String table, String column, ClickHouseType type, String after) {
        return "ALTER TABLE " + qualified(layout.dataTable(table)) + layout.onCluster() + " ADD COLUMN " + (server.hasAddColumnIfNotExists() ? "IF NOT EXISTS " : "")
                + quote(column) + " " + type.declaration() + (after == null ? "" : " AFTER " + quote(after));
    }

    public String dropColumn(String table, String column) {
        return "ALTER TABLE " + qualified(layout.dataTable(table)) + layout.onCluster() + " DROP COLUMN " + (server.hasAddColumnIfNotExists() ? "IF EXISTS " : "") + quote(column);
    }

    public String modifyColumn(String table, String column, ClickHouseType type) {
        return "ALTER TABLE " + qualified(layout.dataTable(table)) + layout.onCluster() + " MODIFY COLUMN " + quote(column) + " " + type.declaration();
    }

    /** Deletes every row written before a truncate of the source table. */
    public String deleteBefore(TableSchema schema, String version) {
        return "ALTER TABLE " + qualified(layout.dataTable(schema.table())) + layout.onCluster() + " DELETE WHERE " + quote(schema.meta().version()) + " < " + version
                + (server.hasMutationsSync() ? " SETTINGS mutations_sync = 2" : "");
    }

    public String currentView(TableSchema schema) {
        String table = schema.table();
        return "CREATE VIEW IF NOT EXISTS " + qualified(table + "_current") + layout.onCluster() + " AS SELECT * FROM " + qualified(table)
                + " FINAL WHERE " + quote(schema.meta().deleted()) + " = 0";
    }

    /** A view's columns are fixed when it is created: after a column changes it is made again. */
    public String dropCurrentView(String table) {
        return "DROP TABLE IF EXISTS " + qualified(table + "_current") + layout.onCluster();
    }
}

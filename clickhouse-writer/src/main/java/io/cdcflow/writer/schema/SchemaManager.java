package io.cdcflow.writer.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.writer.sink.ClickHouse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each target table in step with its source's newest schema: creates the table and its current-state view,
 * and when PostgreSQL's columns change (ADD COLUMN, DROP COLUMN, a type or NOT NULL change) alters the table to match
 * and remakes the view. No restart needed, and a table made by an earlier writer is brought to the exact types. Every
 * statement can be repeated, and what exists is read from {@code system.columns} each time a schema is applied, so a
 * failed statement is retried against what is there, and two writers changing one table converge.
 */
public final class SchemaManager {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaManager.class);

    private final ClickHouse clickhouse;
    private final String database;
    private final ServerInfo server;
    private final ReplacingMergeTreeDdl ddl;
    private final Map<String, TableSchema> tables = new HashMap<>();

    public SchemaManager(ClickHouse clickhouse, String database, ServerInfo server) {
        this(clickhouse, database, server, ClusterLayout.SINGLE_SERVER);
    }

    /** With a cluster named, its shards are counted from the server's {@code system.clusters} first. */
    public SchemaManager(ClickHouse clickhouse, String database, ServerInfo server, ClusterLayout layout) {
        this.clickhouse = clickhouse;
        this.database = database;
        this.server = server;
        this.ddl = new ReplacingMergeTreeDdl(database, server, layout.cluster() == null ? layout : layout.withShards(shards(clickhouse, layout)));
        clickhouse.execute(ddl.createDatabase());
    }

    /** The shards of the layout's cluster, as the server the writer talks to knows them. */
    private static int shards(ClickHouse clickhouse, ClusterLayout layout) {
        List<JsonNode> rows = clickhouse.query("SELECT toString(count(DISTINCT shard_num)) AS shards FROM system.clusters WHERE cluster = "
                + ReplacingMergeTreeDdl.literal(layout.cluster()));
        int shards = Integer.parseInt(rows.get(0).get("shards").asText());
        if (shards == 0) {
            List<String> known = clickhouse.query("SELECT DISTINCT cluster FROM system.clusters").stream()
                    .map(r -> r.get("cluster").asText()).toList();
            throw new ClusterMissingException("CLICKHOUSE_CLUSTER is " + layout.cluster() + ", but ClickHouse's remote_servers has no "
                    + "such cluster (it has " + known + "): name one of those, or add it to the servers' configuration");
        }
        return shards;
    }

    /** The cluster CLICKHOUSE_CLUSTER names is not in the server's configuration. */
    public static final class ClusterMissingException extends RuntimeException {
        ClusterMissingException(String message) {
            super(message);
        }
    }

    public ReplacingMergeTreeDdl ddl() {
        return ddl;
    }

    /** The schema of a table this writer has already written to, or null. */
    public TableSchema get(String table) {
        return tables.get(table);
    }

    /** The table that mirrors a captured source table: its name, prefixed by its schema outside {@code public}. */
    public static String mirrorTable(RowSchema source) {
        return source.schema().isEmpty() || source.schema().equals("public") ? source.name() : source.schema() + "_" + source.name();
    }

    /** The table declared from {@code source}, created or altered when it differs. */
    public TableSchema ensure(String table, RowSchema source) {
        TableSchema known = tables.get(table);
        if (known != null && known.sourceId().equals(source.id())) {
            return known;
        }
        Map<String, String> existing = existingColumns(ddl.layout().dataTable(table));
        String versionType = existing.getOrDefault(TableSchema.metaOf(source).version(),
                RowSchema.TABLE.equals(source.kind()) && server.hasWideNumbers() ? "UInt128" : "UInt64");
        TableSchema wanted = new TableSchema(table, source, server, versionType);
        if (existing.isEmpty()) {
            createDataTable(wanted);
            distributed(wanted);
            clickhouse.execute(ddl.currentView(wanted));
            LOG.info("created table {}.{} from schema {} of {} ({} columns, key {}) and view {}_current", database, table,
                    source.id(), source.subject(), wanted.columns().size(), wanted.keyColumns(), table);
        } else {
            if (ddl.layout().cluster() != null) {
                createDataTable(wanted); // on the cluster's servers that lack it: made while they were down, or lost to a failure
            }
            boolean changed = alter(table, wanted, existing);
            distributed(wanted); // before the view, which takes its columns from the Distributed table
            if (changed) {
                clickhouse.execute(ddl.dropCurrentView(table));
            }
            clickhouse.execute(ddl.currentView(wanted)); // a view dropped by hand, or lost to a crash after CREATE TABLE, comes back
        }
        tables.put(table, wanted);
        return wanted;
    }

    /** Alters the table to {@code wanted}; whether anything changed (then its view must be made again). */
    private boolean alter(String table, TableSchema wanted, Map<String, String> existing) {
        List<String> changes = new ArrayList<>();
        String previous = null;
        for (Map.Entry<String, ClickHouseType> column : wanted.columns().entrySet()) {
            String name = column.getKey();
            ClickHouseType type = column.getValue();
            String current = existing.get(name);
            if (current == null) {
                clickhouse.execute(ddl.addColumn(table, name, type, previous == null ? null : previous));
                changes.add("added " + name + " " + type.declaration());
            } else if (!ClickHouseType.normalized(current).equals(ClickHouseType.normalized(type.declaration()))) {
                if (wanted.keyColumns().contains(name)) {
                    LOG.error("key column {}.{}.{} is {} in ClickHouse but {} in schema {} of {}: ClickHouse cannot change a "
                            + "sorting key column; re-create the table to apply it", database, table, name, current,
                            type.declaration(), wanted.sourceId(), wanted.source().subject());
                } else {
                    try {
                        clickhouse.execute(ddl.modifyColumn(table, name, type));
                    } catch (ClickHouse.ClickHouseException e) {
                        throw new ClickHouse.SchemaChangeException("cannot change column " + database + "." + table + "." + name
                                + " from " + current + " to " + type.declaration() + " (schema " + wanted.sourceId() + " of "
                                + wanted.source().subject() + "): " + e.getMessage(), e);
                    }
                    changes.add("changed " + name + " from " + current + " to " + type.declaration());
                }
            }
            previous = name;
        }
        for (String name : existing.keySet()) {
            if (!wanted.columns().containsKey(name) && !wanted.meta().contains(name)) {
                clickhouse.execute(ddl.dropColumn(table, name));
                changes.add("dropped " + name);
            }
        }
        if (!changes.isEmpty()) {
            LOG.info("table {}.{} follows schema {} of {}: {}", database, table, wanted.sourceId(), wanted.source().subject(),
                    String.join("; ", changes));
        }
        return !changes.isEmpty();
    }

    /**
     * The table holding the rows, where it does not exist yet. A server of a cluster that registered its replica in
     * ZooKeeper and failed before it saved the table (a lost ZooKeeper session in between; ClickHouse before 23.11 never
     * cleans this up) refuses every later CREATE with REPLICA_IS_ALREADY_EXIST: the table is attached to that replica
     * instead, which is what an operator would do by hand.
     */
    private void createDataTable(TableSchema wanted) {
        try {
            clickhouse.execute(ddl.createTable(wanted));
        } catch (ClickHouse.ClickHouseException e) {
            if (!replicaWithoutTable(e.getMessage())) {
                throw e;
            }
            LOG.warn("table {}.{}: a server of cluster {} has the table's replica in ZooKeeper but not the table ({}); attaching the table "
                    + "to that replica", database, ddl.layout().dataTable(wanted.table()), ddl.layout().cluster(), e.getMessage());
            clickhouse.execute(ddl.attachTable(wanted));
        }
    }

    private static final java.util.regex.Pattern REPLICA_ALREADY_EXISTS = java.util.regex.Pattern.compile("Code: 253\\b");

    /** Whether ClickHouse refused a CREATE because the replica it would register is in ZooKeeper already (code 253). */
    static boolean replicaWithoutTable(String message) {
        return message != null && (REPLICA_ALREADY_EXISTS.matcher(message).find() || message.contains("REPLICA_ALREADY_EXISTS")
                || message.contains("REPLICA_IS_ALREADY_EXIST"));
    }

    /**
     * On a sharded cluster, the Distributed table over {@code <table>_shard}, made again when its columns are not the
     * shards' (after a column change, or never made: a crash between the two CREATEs).
     */
    private void distributed(TableSchema wanted) {
        if (!ddl.layout().sharded()) {
            return;
        }
        String table = wanted.table();
        Map<String, String> shard = existingColumns(ddl.layout().dataTable(table));
        Map<String, String> distributed = existingColumns(table);
        if (!distributed.equals(shard)) {
            if (!distributed.isEmpty()) {
                clickhouse.execute(ddl.dropDistributed(table));
            }
            clickhouse.execute(ddl.createDistributed(wanted));
            LOG.info("Distributed table {}.{} over {}.{} on cluster {} (sharded by the key {})", database, table, database,
                    ddl.layout().dataTable(table), ddl.layout().cluster(), wanted.keyColumns());
        }
    }

    /** Column name to declared type of a table that exists in ClickHouse; empty when it does not. */
    private Map<String, String> existingColumns(String table) {
        Map<String, String> columns = new LinkedHashMap<>();
        List<JsonNode> rows = clickhouse.query("SELECT name, type FROM system.columns WHERE database = "
                + ReplacingMergeTreeDdl.literal(database) + " AND table = " + ReplacingMergeTreeDdl.literal(table));
        for (JsonNode row : rows) {
            columns.put(row.get("name").asText(), row.get("type").asText());
        }
        return columns;
    }
}

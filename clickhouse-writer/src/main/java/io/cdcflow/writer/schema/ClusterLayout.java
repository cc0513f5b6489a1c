package io.cdcflow.writer.schema;

import io.cdcflow.common.config.ConfigException;
import io.cdcflow.common.config.Env;
import io.cdcflow.common.config.Setting;

/**
 * Where a table's rows live: on the one server the writer talks to (plain {@code ReplacingMergeTree}), on replicas
 * ({@code ReplicatedReplacingMergeTree}), or on the shards of a cluster from the servers' {@code remote_servers},
 * where every statement runs {@code ON CLUSTER} and, with more than one shard, the rows go to {@code <table>_shard}
 * tables behind a {@code Distributed} table {@code <table>} sharded by a hash of the key (PeerDB's layout): every
 * version of a key lands on one shard, which {@code FINAL} needs to pick the newest.
 *
 * @param cluster       the cluster's name in {@code remote_servers}, or null (one server, or replicas made by hand)
 * @param replicated    tables are {@code ReplicatedReplacingMergeTree}
 * @param zookeeperPath the replicated tables' path in ZooKeeper; {@code {database}} and {@code {table}} are filled in
 *                      by the writer, {@code {shard}} and any other macro by each server
 * @param replicaName   the replica's name, normally the servers' {@code {replica}} macro
 * @param shards        the cluster's shards (asked of the server at connection; 1 without a cluster)
 */
public record ClusterLayout(String cluster, boolean replicated, String zookeeperPath, String replicaName, int shards) {
    public static final ClusterLayout SINGLE_SERVER = new ClusterLayout(null, false, null, null, 1);
    static final String DEFAULT_PATH = "/clickhouse/tables/{shard}/{database}/{table}";

    static final Setting<String> CLUSTER = Setting.text("CLICKHOUSE_CLUSTER", null,
            "a cluster of the servers' `remote_servers`: every statement runs `ON CLUSTER`, tables are replicated, and with "
                    + "more than one shard rows go through a `Distributed` table (below)");
    static final Setting<Boolean> REPLICATED = Setting.bool("CLICKHOUSE_REPLICATED", false,
            "`ReplicatedReplacingMergeTree` tables; without a cluster, on the server the writer talks to only")
            .shownDefault("`true` with a cluster, else `false`");
    static final Setting<String> ZOOKEEPER_PATH = Setting.text("CLICKHOUSE_ZOOKEEPER_PATH", DEFAULT_PATH,
            "the replicated tables' path in ZooKeeper; the writer fills in `{database}` and `{table}`, each server its macros");
    static final Setting<String> REPLICA_NAME = Setting.text("CLICKHOUSE_REPLICA_NAME", "{replica}",
            "the replica's name; each server fills in its macros");

    /** The layout's settings, in README's order. */
    public static final java.util.List<Setting<?>> SETTINGS = java.util.List.of(CLUSTER, REPLICATED, ZOOKEEPER_PATH, REPLICA_NAME);

    /**
     * CLICKHOUSE_CLUSTER, CLICKHOUSE_REPLICATED (default: whether a cluster is named), CLICKHOUSE_ZOOKEEPER_PATH,
     * CLICKHOUSE_REPLICA_NAME.
     */
    public static ClusterLayout from(Env env) {
        String cluster = CLUSTER.from(env);
        if (cluster != null && !cluster.matches("[A-Za-z0-9_.-]+")) {
            throw new ConfigException("CLICKHOUSE_CLUSTER must be a cluster name from the servers' remote_servers "
                    + "(letters, digits, _ . -), got '" + cluster + "'");
        }
        boolean replicated = REPLICATED.from(env, cluster != null);
        String path = ZOOKEEPER_PATH.from(env);
        if (replicated && !path.contains("{table}")) {
            throw new ConfigException("CLICKHOUSE_ZOOKEEPER_PATH must contain {table} (each table needs a path of its own), got '"
                    + path + "'");
        }
        if (!replicated && cluster != null) {
            throw new ConfigException("CLICKHOUSE_CLUSTER " + cluster + " is set with CLICKHOUSE_REPLICATED=false: a cluster's "
                    + "tables must be replicated (ReplicatedReplacingMergeTree), so that a shard's replicas hold the same rows");
        }
        return new ClusterLayout(cluster, replicated, path, REPLICA_NAME.from(env), 1);
    }

    /** This layout on a cluster of {@code count} shards. */
    public ClusterLayout withShards(int count) {
        return new ClusterLayout(cluster, replicated, zookeeperPath, replicaName, count);
    }

    /** Whether rows are spread over shards through a {@code Distributed} table. */
    public boolean sharded() {
        return shards > 1;
    }

    /** The table that holds a table's rows: {@code <table>_shard} on each shard when sharded, else the table itself. */
    public String dataTable(String table) {
        return sharded() ? table + "_shard" : table;
    }

    /** The {@code ON CLUSTER} clause of every statement, empty without a cluster. */
    public String onCluster() {
        return cluster == null ? "" : " ON CLUSTER " + ReplacingMergeTreeDdl.quote(cluster);
    }

    /** What the start-up log and the health line say. */
    public String describe() {
        if (cluster == null) {
            return replicated ? "replicated tables (no cluster)" : "one server";
        }
        return "cluster " + cluster + " (" + shards + (shards == 1 ? " shard" : " shards") + ", replicated tables"
                + (sharded() ? ", Distributed tables over <table>_shard" : "") + ")";
    }
}

package io.cdcflow.testsupport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A ClickHouse cluster on this machine: a {@link LocalZooKeeper} and one server per replica of each shard, all in
 * {@code remote_servers} as cluster {@value #NAME} (replication inside each shard, {@code internal_replication}),
 * each with its {@code {shard}} and {@code {replica}} macros and an interserver port for replicas to fetch parts.
 */
public final class LocalClickHouseCluster implements AutoCloseable {
    public static final String NAME = "cdcflow";
    private final LocalZooKeeper zookeeper;
    private final List<LocalClickHouse> servers;
    private final List<Integer> shardOf;

    private LocalClickHouseCluster(LocalZooKeeper zookeeper, List<LocalClickHouse> servers, List<Integer> shardOf) {
        this.zookeeper = zookeeper;
        this.servers = servers;
        this.shardOf = shardOf;
    }

    /**
     * Starts ZooKeeper and the servers: {@code replicas[i]} servers for shard {@code i + 1}. When something is not
     * installed, the test fails under {@code CI=true} and is skipped elsewhere, as with {@link RealServices}.
     */
    public static LocalClickHouseCluster start(int... replicas) {
        LocalZooKeeper zookeeper = null;
        List<LocalClickHouse> servers = new ArrayList<>();
        try {
            zookeeper = LocalZooKeeper.start();
            int zkPort = zookeeper.port();
            List<int[]> ports = new ArrayList<>(); // native, interserver
            List<Integer> shardOf = new ArrayList<>();
            StringBuilder shards = new StringBuilder();
            for (int shard = 0; shard < replicas.length; shard++) {
                shards.append("<shard><internal_replication>true</internal_replication>");
                for (int r = 0; r < replicas[shard]; r++) {
                    int[] p = {Ports.free(), Ports.free()};
                    ports.add(p);
                    shardOf.add(shard + 1);
                    shards.append("<replica><host>127.0.0.1</host><port>").append(p[0]).append("</port></replica>");
                }
                shards.append("</shard>");
            }
            for (int i = 0; i < ports.size(); i++) {
                int member = i;
                String shard = Integer.toString(shardOf.get(i));
                servers.add(LocalClickHouse.startWith((tcp, interserver) -> """
                          <interserver_http_port>%d</interserver_http_port>
                          <interserver_http_host>127.0.0.1</interserver_http_host>
                          <zookeeper><node><host>127.0.0.1</host><port>%d</port></node><session_timeout_ms>10000</session_timeout_ms></zookeeper>
                          <macros><shard>%s</shard><replica>replica%d</replica></macros>
                          <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
                          <remote_servers><%s>%s</%s></remote_servers>
                        """.formatted(interserver, zkPort, shard, member + 1, NAME, shards, NAME), ports.get(i)[0], ports.get(i)[1]));
            }
            return new LocalClickHouseCluster(zookeeper, servers, shardOf);
        } catch (IOException | RuntimeException e) {
            servers.forEach(LocalClickHouse::close);
            if (zookeeper != null) {
                zookeeper.close();
            }
            throw RealServices.unavailable(new ServiceUnavailableException("a ClickHouse cluster (ZooKeeper and "
                    + java.util.Arrays.stream(replicas).sum() + " servers)", e));
        }
    }

    public ClickHouseEndpoint endpoint(int server) {
        return servers.get(server).endpoint();
    }

    public LocalClickHouse server(int server) {
        return servers.get(server);
    }

    /** The shard (from 1) a server holds. */
    public int shardOf(int server) {
        return shardOf.get(server);
    }

    public int size() {
        return servers.size();
    }

    public LocalZooKeeper zookeeper() {
        return zookeeper;
    }

    @Override
    public void close() {
        servers.forEach(LocalClickHouse::close);
        zookeeper.close();
    }
}

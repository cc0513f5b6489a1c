package io.cdcflow.writer.sink;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.data.ClickHouseFormat;
import com.fasterxml.jackson.databind.JsonNode;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.ops.Errors;
import io.cdcflow.writer.config.WriterConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The writer's one door to ClickHouse, through the official client (client-v2). Reads ask for JSONEachRow in the
 * SQL itself and responses are not compressed: old servers (18.16) ignore the format header and cannot send the
 * compressed responses the client asks for by default. Current servers work the same way.
 */
public final class ClickHouse implements AutoCloseable {
    /**
     * How long an {@code ON CLUSTER} statement waits for the cluster's servers (ClickHouse's
     * {@code distributed_ddl_task_timeout}, 180 s by default: longer than the client waits for an answer). A server
     * that is down does its part from ZooKeeper's DDL queue when it returns, so the writer goes on once every server
     * still unfinished is one that is down ({@link QueuedDdl}).
     */
    static final int CLUSTER_DDL_WAIT_SECONDS = 10;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClickHouse.class);

    private final Client client;
    private final String url;

    public ClickHouse(WriterConfig config) {
        this.url = config.clickhouseUrl();
        Client.Builder builder = new Client.Builder()
                .addEndpoint(config.clickhouseUrl())
                .setUsername(config.user())
                .setPassword(config.password())
                .compressServerResponse(false)
                .setSocketTimeout(60, java.time.temporal.ChronoUnit.SECONDS)
                .setConnectTimeout(5, java.time.temporal.ChronoUnit.SECONDS)
                // the client retries only what never reached the server: a request that may have landed (no
                // response, a timeout) is the sink's to retry, leaving out what landed (RetriedInserts)
                .retryOnFailures(com.clickhouse.client.api.ClientFaultCause.ConnectTimeout,
                        com.clickhouse.client.api.ClientFaultCause.ConnectionRequestTimeout);
        if (config.layout().cluster() != null) {
            // an INSERT into a Distributed table returns once every shard holds its rows, not once they are queued
            // on this server: offsets are committed only for rows a shard's replica holds
            builder.serverSetting("insert_distributed_sync", "1");
            builder.serverSetting("distributed_ddl_task_timeout", Integer.toString(CLUSTER_DDL_WAIT_SECONDS));
        }
        if (config.caFile() != null) {
            builder.setRootCertificate(config.caFile().toString());
        }
        this.client = builder.build();
    }

    /**
     * One statement. An {@code ON CLUSTER} statement that every live server has done, while servers that are down
     * have not, counts as done: they take it from the DDL queue when they return (a warning says so).
     */
    public void execute(String sql) {
        try {
            await(() -> client.execute(sql).get(60, TimeUnit.SECONDS).close(), sql);
        } catch (ClickHouseException e) {
            // by its message: 18.16 answers with HTTP 500 and no exception-code header, so the code is not always known
            QueuedDdl queued = QueuedDdl.parse(e.getMessage());
            if (queued == null || !queued.onlyServersThatAreDown()) {
                throw e;
            }
            LOG.warn("ClickHouse at {}: {} of the cluster's servers did not answer {} within {} s and are not running: each does it "
                    + "from the cluster's DDL queue when it is back; the writer goes on with the servers that did",
                    url, queued.unfinished(), abbreviate(sql), CLUSTER_DDL_WAIT_SECONDS);
        }
    }

    public List<JsonNode> query(String sql) {
        List<JsonNode> rows = new ArrayList<>();
        await(() -> {
            try (QueryResponse response = client.query(sql + " FORMAT JSONEachRow").get(60, TimeUnit.SECONDS)) {
                String body = new String(response.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                body.lines().filter(l -> !l.isBlank()).forEach(l -> rows.add(Json.read(l)));
            }
        }, sql);
        return rows;
    }

    /**
     * One batch, one INSERT ... FORMAT TabSeparated. {@code target} is the quoted table with its quoted column list:
     * the client's own column list joins names unquoted, which breaks on names such as {@code "unit price"}.
     */
    public void insert(String target, InputStream tabSeparated) {
        await(() -> client.insert(target, tabSeparated, ClickHouseFormat.TabSeparated)
                .get(120, TimeUnit.SECONDS).close(), "INSERT INTO " + target);
    }

    public boolean ping() {
        try {
            return client.ping(2000);
        } catch (RuntimeException e) {
            return false;
        }
    }

    public String version() {
        return query("SELECT version() AS v").get(0).get("v").asText();
    }

    private interface Call {
        void run() throws Exception;
    }

    private void await(Call call, String what) {
        try {
            call.run();
        } catch (ExecutionException e) {
            throw new ClickHouseException(url, what, e.getCause());
        } catch (TimeoutException | IOException e) {
            throw new ClickHouseException(url, what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClickHouseException(url, what, e);
        } catch (ClickHouseException e) {
            throw e;
        } catch (Exception e) {
            throw new ClickHouseException(url, what, e);
        }
    }

    @Override
    public void close() {
        client.close();
    }

    /** ClickHouse refused to change a table to a source's new schema; retried like any failure, and named. */
    public static final class SchemaChangeException extends RuntimeException {
        public SchemaChangeException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** ClickHouse failed or could not be reached; the message names the statement and the server. */
    public static final class ClickHouseException extends RuntimeException {
        /** Error codes of an INSERT ClickHouse refuses for what is in it, not for its own state: splitting finds the rows. */
        private static final java.util.Set<Integer> REJECTED_DATA = java.util.Set.of(
                6, 26, 27, 32, 33, 38, 41, 53, 69, 70, 72, 117, 131, 321, 407, 469);

        ClickHouseException(String url, String what, Throwable cause) {
            super("ClickHouse at " + url + " failed on " + abbreviate(what) + ": " + Errors.describe(cause), cause);
        }

        /** The server's error code, or -1 when the failure was not the server's answer (unreachable, timed out). */
        public int serverCode() {
            for (Throwable t = getCause(); t != null; t = t.getCause()) {
                if (t instanceof com.clickhouse.client.api.ServerException server) {
                    return server.getCode();
                }
            }
            return -1;
        }

        /** Whether ClickHouse refused the data (a value it cannot parse, a constraint), rather than failed. */
        public boolean rejectsData() {
            return REJECTED_DATA.contains(serverCode());
        }
    }

    private static String abbreviate(String sql) {
        return sql.length() > 160 ? sql.substring(0, 160) + "..." : sql;
    }
}

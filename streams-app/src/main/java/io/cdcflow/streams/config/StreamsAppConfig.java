package io.cdcflow.streams.config;

import io.cdcflow.common.config.Env;
import io.cdcflow.common.config.HostPort;
import java.util.List;
import java.util.Map;

/**
 * Everything the streams-app reads from its environment. The facts come from a file of PostgreSQL views
 * ({@code STREAMS_FACTS_FILE}); without one, the default facts of the seed's TypeORM schema.
 *
 * @param factsFile        the facts file's path, or null for the default facts
 * @param instanceId       the static group member id ({@code group.instance.id}): a restarted instance rejoins as itself,
 *                         with no rebalance and no wait for its old session to expire; empty for dynamic membership
 * @param httpAuth         who may call the endpoints that return data (STREAMS_HTTP_TOKEN, STREAMS_HTTP_AUTH)
 * @param httpTls          HTTPS for the endpoints, or null (STREAMS_HTTP_TLS_CERT, STREAMS_HTTP_TLS_KEY)
 * @param schemaTopic      where the source tables' schemas are read and the outputs' schemas written
 * @param localTables      tables joined inside each task from a whole copy of them (small tables: dimensions), not
 *                         through Kafka (empty: none, {@code STREAMS_LOCAL_TABLES=none}); null to choose by size
 * @param localTableMaxRows with {@code localTables} null, the tables of at most this many rows are joined inside
 *                         each task (PostgreSQL's estimate, else the records in the table's topic)
 * @param stores           where the state stores keep their data: RocksDB on disk (the default) or the heap
 * @param singleInputTopic when set, every table's events come from this one topic (the seed's cdc_events) and are
 *                         split by {@code _metadata.table}
 */
public record StreamsAppConfig(
        String applicationId,
        String bootstrapServers,
        Map<String, String> kafkaClient,
        String stateDir,
        HostPort httpAddress,
        String advertisedAddress,
        String instanceId,
        io.cdcflow.common.ops.HttpAuth httpAuth,
        io.cdcflow.common.ops.HttpTls httpTls,
        String processingGuarantee,
        int standbyReplicas,
        int numThreads,
        String inputPrefix,
        String schema,
        String singleInputTopic,
        String factsFile,
        String deadLetterTopic,
        String schemaTopic,
        List<String> localTables,
        long localTableMaxRows,
        Stores stores) {

    public static StreamsAppConfig from(Env env) {
        for (String removed : new String[] {"STREAMS_TABLE_", "STREAMS_COLUMN_", "STREAMS_TOPIC_"}) {
            if (!env.asProperties(removed).isEmpty()) {
                throw new io.cdcflow.common.config.ConfigException(removed + "* variables are no longer read: declare the facts as PostgreSQL "
                        + "views in a file and set STREAMS_FACTS_FILE (README, 'Your own facts')");
            }
        }
        String prefix = env.string("STREAMS_INPUT_TOPIC_PREFIX", env.string("POSTGRES_CDC_TOPIC_PREFIX", "cdc"));
        HostPort http = env.hostPort("STREAMS_HTTP_ADDR", "0.0.0.0:8081");
        return new StreamsAppConfig(
                env.string("STREAMS_APPLICATION_ID", "cdcflow-streams"),
                env.firstOf("KAFKA_BOOTSTRAP_SERVERS", "POSTGRES_CDC_BROKER_ADDRESS").orElse("localhost:9092"),
                env.asProperties("KAFKA_"),
                env.string("STREAMS_STATE_DIR", System.getProperty("java.io.tmpdir") + "/cdcflow-streams"),
                http,
                env.string("STREAMS_ADVERTISED_ADDR", "localhost:" + http.port()),
                env.optional("STREAMS_INSTANCE_ID").map(id -> id.equals("none") ? "" : id).orElseGet(() -> io.cdcflow.common.config.HostPort.localInstanceId(http.port())),
                io.cdcflow.common.ops.HttpAuth.fromEnv(env, "STREAMS_HTTP_TOKEN", "STREAMS_HTTP_AUTH"),
                io.cdcflow.common.ops.HttpTls.fromEnv(env, "STREAMS_HTTP_TLS_CERT", "STREAMS_HTTP_TLS_KEY"),
                env.choice("STREAMS_PROCESSING_GUARANTEE", Guarantee.EXACTLY_ONCE_V2, Guarantee.class).kafkaName,
                env.integer("STREAMS_STANDBY_REPLICAS", 0, 0, 10),
                env.integer("STREAMS_NUM_THREADS", 1, 1, 64),
                prefix,
                env.string("STREAMS_INPUT_SCHEMA", env.string("POSTGRES_CDC_SCHEMA", "public")),
                env.optional("STREAMS_INPUT_TOPIC").orElse(null),
                env.optional("STREAMS_FACTS_FILE").orElse(null),
                env.string("STREAMS_DEAD_LETTER_TOPIC", (prefix.isEmpty() ? "" : prefix + ".") + "_streams_dead_letter"),
                env.string("STREAMS_SCHEMA_TOPIC", (prefix.isEmpty() ? "" : prefix + ".") + "_schemas"),
                localTables(env),
                env.longValue("STREAMS_LOCAL_TABLE_MAX_ROWS", 100_000, 0, Long.MAX_VALUE),
                env.choice("STREAMS_STATE_STORES", Stores.ROCKSDB, Stores.class));
    }

    /** STREAMS_LOCAL_TABLES: unset, chosen by size (null); {@code none}, no table; else the tables listed. */
    private static List<String> localTables(Env env) {
        List<String> listed = env.list("STREAMS_LOCAL_TABLES", null);
        if (listed == null) {
            return null;
        }
        return listed.equals(List.of("none")) ? List.of() : listed;
    }


    /** The input topic of a table. */
    public String inputTopic(String table) {
        if (singleInputTopic != null) {
            return singleInputTopic;
        }
        return (inputPrefix.isEmpty() ? "" : inputPrefix + ".") + schema + "." + table;
    }

    /**
     * Where the state stores keep their data. Both kinds are backed by the same changelog topics, so the choice can
     * change between starts without a reset.
     */
    public enum Stores {
        /** On local disk, bounded by disk, kept across restarts (restored only from where the checkpoint left off). */
        ROCKSDB,
        /** In the heap: faster per update, bounded by the heap, restored from the changelogs at every start. */
        MEMORY
    }

    public enum Guarantee {
        AT_LEAST_ONCE("at_least_once"), EXACTLY_ONCE_V2("exactly_once_v2");

        final String kafkaName;

        Guarantee(String kafkaName) {
            this.kafkaName = kafkaName;
        }
    }
}

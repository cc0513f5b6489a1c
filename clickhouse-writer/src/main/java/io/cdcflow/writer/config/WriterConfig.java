package io.cdcflow.writer.config;

import io.cdcflow.common.config.ConfigException;
import io.cdcflow.common.config.Env;
import io.cdcflow.common.config.HostPort;
import io.cdcflow.writer.schema.ClusterLayout;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything the clickhouse-writer reads from its environment.
 *
 * @param topics      topics to sink: the streams-app's outputs (each lands in a table of the same name) or the
 *                    wal-producer's change topics (each table mirrored 1:1); an entry with {@code *} is a pattern
 * @param schemaTopic the topic the schemas named by each record's {@code cdc.schema_id} header are read from
 * @param batchRows   flush a table's batch at this many rows ...
 * @param batchBytes  ... or this many bytes of TabSeparated rows ...
 * @param batchMaxAge ... or when its oldest row has waited this long, whichever comes first
 * @param layout      one server, replicas or a cluster's shards ({@link ClusterLayout})
 * @param instanceId  the static group member id ({@code group.instance.id}), or null for dynamic membership
 *                    ({@code WRITER_INSTANCE_ID=none}): a
 *                    restarted writer (after a SIGKILL too) rejoins as itself at once instead of waiting for its old
 *                    session to expire
 */
public record WriterConfig(
        String clickhouseUrl,
        String user,
        String password,
        java.nio.file.Path caFile,
        String database,
        String bootstrapServers,
        Map<String, String> kafkaClient,
        String groupId,
        List<String> topics,
        HostPort httpAddress,
        io.cdcflow.common.ops.HttpTls httpTls,
        int batchRows,
        long batchBytes,
        Duration batchMaxAge,
        Duration maxBackoff,
        String deadLetterTopic,
        String schemaTopic,
        ClusterLayout layout,
        String instanceId) {

    /** CLICKHOUSE_CA_FILE: the PEM certificate of the authority that signed ClickHouse's, for an https:// URL. */
    private static java.nio.file.Path caFile(Env env, String url) {
        var file = env.optional("CLICKHOUSE_CA_FILE").map(java.nio.file.Path::of);
        if (file.isEmpty()) {
            return null;
        }
        if (!url.startsWith("https://")) {
            throw new ConfigException("CLICKHOUSE_CA_FILE is set, but CLICKHOUSE_URL (" + url + ") is not https://");
        }
        if (!java.nio.file.Files.isReadable(file.get())) {
            throw new ConfigException("CLICKHOUSE_CA_FILE " + file.get() + " cannot be read");
        }
        return file.get();
    }

    public static WriterConfig from(Env env) {
        String url = env.string("CLICKHOUSE_URL", "http://localhost:8123");
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new ConfigException("CLICKHOUSE_URL must be an http:// or https:// URL of ClickHouse's HTTP interface, got '" + url + "'");
        }
        String database = env.string("CLICKHOUSE_DATABASE", "cdc");
        if (!database.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new ConfigException("CLICKHOUSE_DATABASE must be a plain identifier (letters, digits, _), got '" + database + "'");
        }
        List<String> topics = env.list("WRITER_TOPICS", List.of("order_fact", "order_item_fact", "customer_dim", "product_dim"));
        for (String topic : topics) {
            if (!topic.matches("[A-Za-z0-9_.*-]+")) {
                throw new ConfigException("WRITER_TOPICS lists '" + topic + "', which is not a Kafka topic name or a pattern "
                        + "such as cdc.public.*");
            }
        }
        HostPort http = env.hostPort("WRITER_HTTP_ADDR", "0.0.0.0:8082");
        return new WriterConfig(
                url,
                env.string("CLICKHOUSE_USER", "default"),
                env.optional("CLICKHOUSE_PASSWORD").orElse(""),
                caFile(env, url),
                database,
                env.firstOf("KAFKA_BOOTSTRAP_SERVERS", "POSTGRES_CDC_BROKER_ADDRESS").orElse("localhost:9092"),
                env.asProperties("KAFKA_"),
                env.string("WRITER_GROUP_ID", "cdcflow-clickhouse-writer"),
                topics,
                http,
                io.cdcflow.common.ops.HttpTls.fromEnv(env, "WRITER_HTTP_TLS_CERT", "WRITER_HTTP_TLS_KEY"),
                env.integer("WRITER_BATCH_ROWS", 50_000, 1, 10_000_000),
                env.longValue("WRITER_BATCH_BYTES", 16L << 20, 1024, 1L << 31),
                env.duration("WRITER_BATCH_MAX_AGE", Duration.ofMillis(200)),
                env.duration("WRITER_MAX_BACKOFF", Duration.ofSeconds(30)),
                env.string("WRITER_DEAD_LETTER_TOPIC", "cdc._writer_dead_letter"),
                env.string("WRITER_SCHEMA_TOPIC", defaultSchemaTopic(topics)),
                ClusterLayout.from(env),
                instanceId(env.optional("WRITER_INSTANCE_ID").orElse(null), http.port()));
    }

    /**
     * WRITER_INSTANCE_ID, {@code none} for dynamic membership; by default {@code <hostname>-<HTTP port>}: distinct per writer on one host, the same across its restarts; none (dynamic
     * membership) for an HTTP port the system picks, which is not the same after a restart.
     */
    private static String instanceId(String set, int port) {
        if (set != null) {
            return set.equals("none") ? null : set;
        }
        if (port == 0) {
            return null;
        }
        return HostPort.localInstanceId(port);
    }

    /**
     * Where the producer of {@code topics} publishes its schemas: for a wal-producer's topics with one prefix
     * ({@code shop.public.*}, {@code shop.sales.orders}), {@code <prefix>._schemas}; else {@code cdc._schemas}.
     */
    static String defaultSchemaTopic(List<String> topics) {
        java.util.Set<String> prefixes = new java.util.HashSet<>();
        for (String topic : topics) {
            int table = topic.lastIndexOf('.');
            int schema = table <= 0 ? -1 : topic.lastIndexOf('.', table - 1);
            prefixes.add(schema <= 0 ? null : topic.substring(0, schema));
        }
        return prefixes.size() == 1 && !prefixes.contains(null) ? prefixes.iterator().next() + "._schemas" : "cdc._schemas";
    }

    /** Whether any entry of {@link #topics} is a pattern. */
    public boolean patterns() {
        return topics.stream().anyMatch(t -> t.contains("*"));
    }

    /**
     * The topics to read as one pattern: each entry matches itself, {@code *} matches any run of characters; topics
     * whose last part starts with {@code _} (schemas, dead letters, state) never match a pattern.
     */
    public java.util.regex.Pattern topicPattern() {
        String alternatives = topics.stream().map(t -> t.contains("*")
                        ? "(?!.*\\._)" + String.join(".*", java.util.Arrays.stream(t.split("\\*", -1))
                                .map(part -> part.isEmpty() ? "" : java.util.regex.Pattern.quote(part)).toList())
                        : java.util.regex.Pattern.quote(t))
                .collect(java.util.stream.Collectors.joining("|"));
        return java.util.regex.Pattern.compile(alternatives);
    }

    /** The ClickHouse table a topic lands in: the topic name with anything but letters, digits and _ replaced. */
    public static String tableFor(String topic) {
        return topic.replaceAll("[^A-Za-z0-9_]", "_");
    }
}

package io.cdcflow.writer.config;

import io.cdcflow.common.config.ConfigException;
import io.cdcflow.common.config.Env;
import io.cdcflow.common.config.HostPort;
import io.cdcflow.common.config.Setting;
import io.cdcflow.common.config.Settings;
import io.cdcflow.common.ops.Backoff;
import io.cdcflow.common.ops.HttpTls;
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
        HttpTls httpTls,
        int batchRows,
        long batchBytes,
        Duration batchMaxAge,
        Duration maxBackoff,
        String deadLetterTopic,
        String schemaTopic,
        ClusterLayout layout,
        String instanceId) {

    static final Setting<String> CLICKHOUSE_URL = Setting.text("CLICKHOUSE_URL", "http://localhost:8123", "HTTP(S) interface");
    static final Setting<String> CA_FILE = Setting.text("CLICKHOUSE_CA_FILE", null,
            "for an `https://` URL: the PEM certificate of the authority that signed ClickHouse's (else the JVM's trusted "
                    + "authorities); the host name is checked too");
    static final Setting<String> USER = Setting.text("CLICKHOUSE_USER", "default", "the user");
    static final Setting<String> PASSWORD = Setting.text("CLICKHOUSE_PASSWORD", "", "its password (never logged)")
            .shownDefault(null);
    static final Setting<String> DATABASE = Setting.text("CLICKHOUSE_DATABASE", "cdc", "created when missing");
    static final Setting<String> BOOTSTRAP_SERVERS = Setting.text("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092", "Kafka")
            .or("POSTGRES_CDC_BROKER_ADDRESS");
    static final Setting<Map<String, String>> KAFKA = Setting.properties("KAFKA_",
            "any Kafka client property of the consumer and the dead-letter producer: `KAFKA_SECURITY_PROTOCOL=SASL_SSL` "
                    + "becomes `security.protocol`");
    static final Setting<List<String>> TOPICS = Setting.list("WRITER_TOPICS",
            List.of("order_fact", "order_item_fact", "customer_dim", "product_dim"),
            "the streams-app's outputs, each landing in a table of the same name; or the wal-producer's topics (a list, or a "
                    + "pattern such as `cdc.public.*`; `*` matches anything, and a pattern never matches topics whose last part "
                    + "starts with `_`): each captured table is mirrored 1:1 in a table named after it. Each table gets a "
                    + "`<table>_current` view");
    static final Setting<String> SCHEMA_TOPIC = Setting.text("WRITER_SCHEMA_TOPIC", null,
            "where the schemas named by each record's `cdc.schema_id` header are read. A record naming a schema this topic does "
                    + "not hold is not dead-lettered: the writer waits for the schema (reading it again with the backoff) and "
                    + "reports not ready naming the record, the schema and this topic; publish the schema or point this setting "
                    + "at the producer's schema topic").shownDefault("`<prefix>._schemas` for wal-producer topics of one prefix "
                    + "(`shop.public.*` reads `shop._schemas`), else `cdc._schemas`");
    static final Setting<String> GROUP_ID = Setting.text("WRITER_GROUP_ID", "cdcflow-clickhouse-writer",
            "writers with the same group share partitions");
    static final Setting<Integer> BATCH_ROWS = Setting.integer("WRITER_BATCH_ROWS", 50_000, 1, 10_000_000,
            "a table's batch is inserted at this many rows ...");
    static final Setting<Long> BATCH_BYTES = Setting.longValue("WRITER_BATCH_BYTES", 16L << 20, 1024, 1L << 31,
            "... or this many bytes of TabSeparated rows ...");
    static final Setting<Duration> BATCH_MAX_AGE = Setting.duration("WRITER_BATCH_MAX_AGE", Duration.ofMillis(200),
            "... or when its oldest row has waited this long, whichever comes first");
    static final Setting<Duration> MAX_BACKOFF = Setting.duration("WRITER_MAX_BACKOFF", Duration.ofSeconds(30),
            "longest wait between retries while ClickHouse fails (the first is 1 s, or this when shorter; more than 0)");
    static final Setting<String> DEAD_LETTER_TOPIC = Setting.text("WRITER_DEAD_LETTER_TOPIC", "cdc._writer_dead_letter",
            "records that cannot be written, with the error in headers");
    static final Setting<HostPort> HTTP_ADDR = Setting.hostPort("WRITER_HTTP_ADDR", "0.0.0.0:8082", "`/ping`, `/ready`, `/metrics`");
    static final Setting<String> HTTP_TLS_CERT = Setting.text("WRITER_HTTP_TLS_CERT", null,
            "a PEM certificate chain: HTTPS only, as for the wal-producer");
    static final Setting<String> HTTP_TLS_KEY = Setting.text("WRITER_HTTP_TLS_KEY", null, "its PEM PKCS#8 key (`BEGIN PRIVATE KEY`)");
    static final Setting<String> INSTANCE_ID = Setting.text("WRITER_INSTANCE_ID", null,
            "static group membership: a restarted writer (after a SIGKILL too) gets its partitions back at once instead of "
                    + "after its old session expired; distinct per writer; `none` for dynamic membership (and no static id when "
                    + "`WRITER_HTTP_ADDR`'s port is `0`)").shownDefault("`<hostname>-<HTTP port>`");

    /** Every setting of the clickhouse-writer, in README's order. */
    public static final Settings SETTINGS = Settings.of("clickhouse-writer", List.of("WRITER_", "CLICKHOUSE_"),
            List.of(CLICKHOUSE_URL, CA_FILE, USER, PASSWORD, DATABASE, BOOTSTRAP_SERVERS, KAFKA, TOPICS, SCHEMA_TOPIC, GROUP_ID,
                    BATCH_ROWS, BATCH_BYTES, BATCH_MAX_AGE, MAX_BACKOFF, DEAD_LETTER_TOPIC, HTTP_ADDR, HTTP_TLS_CERT, HTTP_TLS_KEY,
                    INSTANCE_ID), ClusterLayout.SETTINGS);

    /** CLICKHOUSE_CA_FILE: the PEM certificate of the authority that signed ClickHouse's, for an https:// URL. */
    private static java.nio.file.Path caFile(Env env, String url) {
        var file = java.util.Optional.ofNullable(CA_FILE.from(env)).map(java.nio.file.Path::of);
        if (file.isEmpty()) {
            return null;
        }
        if (!url.startsWith("https://")) {
            throw new ConfigException(CA_FILE.name() + " is set, but " + CLICKHOUSE_URL.name() + " (" + url + ") is not https://");
        }
        if (!java.nio.file.Files.isReadable(file.get())) {
            throw new ConfigException(CA_FILE.name() + " " + file.get() + " cannot be read");
        }
        return file.get();
    }

    public static WriterConfig from(Env env) {
        String url = CLICKHOUSE_URL.from(env);
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new ConfigException("CLICKHOUSE_URL must be an http:// or https:// URL of ClickHouse's HTTP interface, got '" + url + "'");
        }
        String database = DATABASE.from(env);
        if (!database.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new ConfigException("CLICKHOUSE_DATABASE must be a plain identifier (letters, digits, _), got '" + database + "'");
        }
        List<String> topics = TOPICS.from(env);
        for (String topic : topics) {
            if (!topic.matches("[A-Za-z0-9_.*-]+")) {
                throw new ConfigException("WRITER_TOPICS lists '" + topic + "', which is not a Kafka topic name or a pattern "
                        + "such as cdc.public.*");
            }
        }
        HostPort http = HTTP_ADDR.from(env);
        Duration maxBackoff = MAX_BACKOFF.from(env);
        if (maxBackoff.isZero()) {
            throw new ConfigException(MAX_BACKOFF.name() + " must be longer than 0 ms: the writer would retry a failing ClickHouse without pause");
        }
        return new WriterConfig(
                url,
                USER.from(env),
                PASSWORD.from(env),
                caFile(env, url),
                database,
                BOOTSTRAP_SERVERS.from(env),
                KAFKA.from(env),
                GROUP_ID.from(env),
                topics,
                http,
                HttpTls.fromEnv(env, HTTP_TLS_CERT, HTTP_TLS_KEY),
                BATCH_ROWS.from(env),
                BATCH_BYTES.from(env),
                BATCH_MAX_AGE.from(env),
                maxBackoff,
                DEAD_LETTER_TOPIC.from(env),
                SCHEMA_TOPIC.from(env, defaultSchemaTopic(topics)),
                ClusterLayout.from(env),
                instanceId(INSTANCE_ID.from(env), http.port()));
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

    /** The writer's retries: 1 s first (or WRITER_MAX_BACKOFF, when shorter), doubling up to WRITER_MAX_BACKOFF. */
    public Backoff backoff() {
        Duration first = Duration.ofSeconds(1);
        return new Backoff(maxBackoff.compareTo(first) < 0 ? maxBackoff : first, maxBackoff);
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

package io.cdcflow.wal.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdcflow.common.config.ConfigException;
import io.cdcflow.common.config.Env;
import io.cdcflow.common.config.HostPort;
import io.cdcflow.common.config.PostgresDsn;
import io.cdcflow.common.config.Setting;
import io.cdcflow.common.config.Settings;
import io.cdcflow.common.ops.HttpAuth;
import io.cdcflow.common.ops.HttpTls;
import io.cdcflow.common.event.TopicRouting;
import io.cdcflow.common.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything the wal-producer reads from its environment, checked once at start-up. The seed's variables keep their
 * names and defaults; README's configuration table lists the same names.
 *
 * @param tables         table names in {@code schema}; empty means every table of the schema ({@code *})
 * @param kafkaClient    every {@code KAFKA_*} variable as a Kafka client property (TLS, SASL, compression, ...)
 * @param oversize       what to do with an event larger than Kafka accepts
 * @param httpAuth       who may call {@code POST /snapshot/{table}} (POSTGRES_CDC_HTTP_TOKEN, POSTGRES_CDC_HTTP_AUTH)
 * @param httpTls        HTTPS for the endpoints, or null (POSTGRES_CDC_HTTP_TLS_CERT, POSTGRES_CDC_HTTP_TLS_KEY)
 * @param tablesRefresh  with POSTGRES_CDC_TABLES=*, how often the schema is looked at for new tables while streaming
 *                       (zero: only at start)
 * @param changeTopicConfig the configuration of change topics the producer creates: how long Kafka keeps changes
 * @param factsFile      the streams-app's facts file, whose views the initial snapshot computes in PostgreSQL
 *                       ({@link #BUILT_IN_FACTS}: the streams-app's built-in ones), or null
 * @param factsTopic     where those views' rows go, in chunks ({@code FactsExport})
 */
public record WalProducerConfig(
        PostgresDsn postgres,
        String schema,
        String publication,
        String slot,
        List<String> tables,
        String waitForTable,
        TopicRouting routing,
        String bootstrapServers,
        Map<String, String> kafkaClient,
        HostPort httpAddress,
        HttpAuth httpAuth,
        HttpTls httpTls,
        boolean snapshot,
        int snapshotBatchRows,
        int topicPartitions,
        Map<String, String> changeTopicConfig,
        String stateTopic,
        String schemaTopic,
        String deadLetterTopic,
        OversizePolicy oversize,
        int maxRecordBytes,
        Duration statusInterval,
        Duration heartbeatInterval,
        int connectAttempts,
        Duration connectInterval,
        Duration tablesRefresh,
        String factsFile,
        String factsTopic) {

    public static final List<String> SEED_TABLES = List.of("customers", "products", "orders", "order_items");

    public enum OversizePolicy { FAIL, DEAD_LETTER }

    static final Setting<String> SCHEMA = Setting.text("POSTGRES_CDC_SCHEMA", "public", "schema of the tables");
    static final Setting<List<String>> TABLES = Setting.list("POSTGRES_CDC_TABLES", null, "comma-separated tables, or `*` for "
            + "every table of the schema that has a primary key or replica identity (others are left out and named in the log: "
            + "publishing them would make PostgreSQL refuse their UPDATEs and DELETEs; a listed one is refused at start). "
            + "Partitioned tables are captured through their root (`publish_via_partition_root`): events carry the root's name");
    static final Setting<Duration> TABLES_REFRESH = Setting.duration("POSTGRES_CDC_TABLES_REFRESH", Duration.ofSeconds(30),
            "with `*`: how often the schema is looked at for new tables while streaming; a new one (with a key) gets its topic, "
                    + "joins the publication and is snapshotted while streaming goes on. `0`: only at start");
    static final Setting<String> TABLES_JSON = Setting.text("POSTGRES_CDC_TABLES_JSON", null,
            "the same as a JSON array (used when `POSTGRES_CDC_TABLES` is unset)").shownDefault("`[\"customers\",\"products\",\"orders\",\"order_items\"]`");
    static final Setting<String> PUBLICATION = Setting.text("POSTGRES_CDC_PUBLICATION", "redpanda_cdc_publication",
            "publication, created or extended with missing tables");
    static final Setting<String> SLOT = Setting.text("POSTGRES_CDC_SLOT", "redpanda_cdc_slot",
            "logical replication slot (pgoutput), created when missing");
    static final Setting<String> WAIT_FOR_TABLE = Setting.text("POSTGRES_CDC_WAIT_FOR_TABLE", null,
            "wait for this table before setting up");
    static final Setting<Integer> CONNECT_ATTEMPTS = Setting.integer("POSTGRES_CDC_CONNECT_ATTEMPTS", 60, 1, 1_000_000,
            "how many times PostgreSQL (and that table) is tried before the start fails ...");
    static final Setting<Duration> CONNECT_INTERVAL = Setting.duration("POSTGRES_CDC_CONNECT_INTERVAL", Duration.ofSeconds(2),
            "... and the wait between two tries");
    static final Setting<Boolean> SNAPSHOT = Setting.bool("POSTGRES_CDC_SNAPSHOT", true,
            "publish every existing row (`operation: read`) when the slot is created");
    static final Setting<Integer> SNAPSHOT_BATCH_ROWS = Setting.integer("POSTGRES_CDC_SNAPSHOT_BATCH_ROWS", 10_000, 1, 10_000_000,
            "snapshot rows (streamed with `COPY`) between updates of `cdc_snapshot_rows_total` and checks for Kafka failures; "
                    + "progress is logged every 5 s");
    static final Setting<String> TOPIC_PREFIX = Setting.text("POSTGRES_CDC_TOPIC_PREFIX", TopicRouting.DEFAULT_PREFIX,
            "topics are `<prefix>.<schema>.<table>`");
    static final Setting<String> TOPIC = Setting.text("POSTGRES_CDC_TOPIC", null,
            "single-topic mode: every table to this topic (the seed used `cdc_events`)");
    static final Setting<Integer> TOPIC_PARTITIONS = Setting.integer("POSTGRES_CDC_TOPIC_PARTITIONS", 3, 1, 10_000,
            "partitions of topics the producer creates");
    static final Setting<String> TOPIC_RETENTION = Setting.text("POSTGRES_CDC_TOPIC_RETENTION", null,
            "how long Kafka keeps the changes in topics the producer creates: `compact` keeps the newest change of every row "
                    + "for good (a consumer that starts late or falls behind still rebuilds every row), `forever` keeps every "
                    + "change, a duration such as `168h` lets Kafka delete changes older than that, consumed or not. Topics that "
                    + "exist are left as they are").shownDefault("`compact` (single topic: `forever`)");
    static final Setting<String> BOOTSTRAP_SERVERS = Setting.text("POSTGRES_CDC_BROKER_ADDRESS", "redpanda:9092",
            "Kafka bootstrap servers").or("KAFKA_BOOTSTRAP_SERVERS");
    static final Setting<Map<String, String>> KAFKA = Setting.properties("KAFKA_",
            "any Kafka client property: `KAFKA_SECURITY_PROTOCOL=SASL_SSL` becomes `security.protocol`");
    static final Setting<Integer> MAX_REQUEST_SIZE = Setting.integer("KAFKA_MAX_REQUEST_SIZE", 1_048_576, 1024, Integer.MAX_VALUE,
            "largest event the producer sends");
    static final Setting<OversizePolicy> OVERSIZE = Setting.choice("POSTGRES_CDC_OVERSIZE", OversizePolicy.FAIL, OversizePolicy.class,
            "an event over that size: `fail` (clear error, no progress) or `dead_letter` (its key and metadata to the dead-letter "
                    + "topic). A value over twice that size is not even decoded (skipped in the message or COPY row PostgreSQL "
                    + "sent, never copied), so a 300 MB value costs no memory beyond the driver's buffer");
    static final Setting<String> DEAD_LETTER_TOPIC = Setting.text("POSTGRES_CDC_DEAD_LETTER_TOPIC", null,
            "where oversized events go").shownDefault("`<prefix>._dead_letter`");
    static final Setting<String> STATE_TOPIC = Setting.text("POSTGRES_CDC_STATE_TOPIC", null,
            "compacted topic remembering that the snapshot completed, and where each table's snapshot rows start and end in "
                    + "its topic (the streams-app reads them: `STREAMS_SNAPSHOT_STATE_TOPIC`)").shownDefault("`<prefix>._wal_producer_state`");
    static final Setting<String> SCHEMA_TOPIC = Setting.text("POSTGRES_CDC_SCHEMA_TOPIC", null,
            "compacted topic of every table's schema; records name theirs in a `cdc.schema_id` header "
                    + "([docs/events.md](docs/events.md#schemas))").shownDefault("`<prefix>._schemas`");
    static final Setting<Duration> STATUS_INTERVAL = Setting.duration("POSTGRES_CDC_STATUS_INTERVAL", Duration.ofSeconds(10),
            "standby status updates to PostgreSQL");
    static final Setting<Duration> HEARTBEAT_INTERVAL = Setting.duration("POSTGRES_CDC_HEARTBEAT_INTERVAL", Duration.ofSeconds(10),
            "logical heartbeat message so the slot advances while the tables are idle (`0` disables)");
    static final Setting<HostPort> HTTP_ADDR = Setting.hostPort("POSTGRES_CDC_HTTP_ADDR", "0.0.0.0:4195", "`/ping`, `/ready`, `/metrics`");
    static final Setting<String> HTTP_TOKEN = Setting.text("POSTGRES_CDC_HTTP_TOKEN", null,
            "enables `POST /snapshot/<table>` with `Authorization: Bearer <token>` (compared in constant time): the table is "
                    + "snapshotted again while streaming goes on; progress in the log and `cdc_snapshot_rows_total`. Without a "
                    + "token the call is refused");
    static final Setting<HttpAuth.Mode> HTTP_AUTH = Setting.choice("POSTGRES_CDC_HTTP_AUTH", HttpAuth.Mode.TOKEN, HttpAuth.Mode.class,
            "`none` serves `POST /snapshot/<table>` without a token: only where nothing untrusted reaches the port");
    static final Setting<String> HTTP_TLS_CERT = Setting.text("POSTGRES_CDC_HTTP_TLS_CERT", null,
            "a PEM certificate chain: the endpoints are then served over HTTPS only");
    static final Setting<String> HTTP_TLS_KEY = Setting.text("POSTGRES_CDC_HTTP_TLS_KEY", null,
            "its PEM PKCS#8 key (`BEGIN PRIVATE KEY`)");

    static final Setting<String> FACTS_FILE = Setting.text("POSTGRES_CDC_FACTS_FILE", null,
            "the streams-app's facts file (the same file as its `STREAMS_FACTS_FILE`): the initial snapshot also runs each "
                    + "view's SELECT in its own transaction and sends the rows, in chunks, to the facts' snapshot topic, where the "
                    + "streams-app takes them instead of computing the snapshot's facts row by row (README, "
                    + "[The backfill](#the-backfill)); unset, the streams-app's built-in facts (those of its views PostgreSQL "
                    + "accepts); `none`: no export").shownDefault("the built-in [`typeorm.sql`](streams-app/facts/typeorm.sql)");
    static final Setting<String> FACTS_TOPIC = Setting.text("POSTGRES_CDC_FACTS_TOPIC", null,
            "the facts' snapshot topic (the streams-app's `STREAMS_FACTS_SNAPSHOT_TOPIC`)").shownDefault("`<prefix>._facts_snapshot`");

    /** Every setting of the wal-producer, in README's order. */
    public static final Settings SETTINGS = Settings.of("wal-producer", List.of("POSTGRES_CDC_"),
            PostgresDsn.SETTINGS, List.of(SCHEMA, TABLES, TABLES_REFRESH, TABLES_JSON, PUBLICATION, SLOT, WAIT_FOR_TABLE,
                    CONNECT_ATTEMPTS, CONNECT_INTERVAL, SNAPSHOT, SNAPSHOT_BATCH_ROWS, TOPIC_PREFIX, TOPIC, TOPIC_PARTITIONS,
                    TOPIC_RETENTION, BOOTSTRAP_SERVERS, KAFKA, MAX_REQUEST_SIZE, OVERSIZE, DEAD_LETTER_TOPIC, STATE_TOPIC,
                    SCHEMA_TOPIC, STATUS_INTERVAL, HEARTBEAT_INTERVAL, HTTP_ADDR, HTTP_TOKEN, HTTP_AUTH, HTTP_TLS_CERT,
                    HTTP_TLS_KEY, FACTS_FILE, FACTS_TOPIC));

    public static WalProducerConfig from(Env env) {
        String prefix = TOPIC_PREFIX.from(env);
        String topic = TOPIC.from(env);
        TopicRouting routing = topic != null ? TopicRouting.single(topic) : TopicRouting.perTable(prefix);
        String prefixDot = prefix.isEmpty() ? "" : prefix + ".";
        return new WalProducerConfig(
                PostgresDsn.fromEnv(env),
                SCHEMA.from(env),
                PUBLICATION.from(env),
                SLOT.from(env),
                tables(env),
                WAIT_FOR_TABLE.from(env),
                routing,
                BOOTSTRAP_SERVERS.from(env),
                KAFKA.from(env),
                HTTP_ADDR.from(env),
                HttpAuth.fromEnv(env, HTTP_TOKEN, HTTP_AUTH),
                HttpTls.fromEnv(env, HTTP_TLS_CERT, HTTP_TLS_KEY),
                SNAPSHOT.from(env),
                SNAPSHOT_BATCH_ROWS.from(env),
                TOPIC_PARTITIONS.from(env),
                changeTopicConfig(env, routing),
                STATE_TOPIC.from(env, prefixDot + "_wal_producer_state"),
                SCHEMA_TOPIC.from(env, prefixDot + "_schemas"),
                DEAD_LETTER_TOPIC.from(env, prefixDot + "_dead_letter"),
                OVERSIZE.from(env),
                MAX_REQUEST_SIZE.from(env),
                STATUS_INTERVAL.from(env),
                HEARTBEAT_INTERVAL.from(env),
                CONNECT_ATTEMPTS.from(env),
                CONNECT_INTERVAL.from(env),
                TABLES_REFRESH.from(env),
                factsFile(env),
                FACTS_TOPIC.from(env, prefixDot + "_facts_snapshot"));
    }

    /** {@link #factsFile()} when POSTGRES_CDC_FACTS_FILE is unset: the streams-app's built-in facts, from the jar. */
    public static final String BUILT_IN_FACTS = "\0built-in facts"; // no path has a NUL: a user's file is never taken for it
    /** Where the jar holds the built-in facts (the wal-producer's build copies the streams-app's file). */
    public static final String BUILT_IN_FACTS_RESOURCE = "facts/typeorm.sql";

    /** POSTGRES_CDC_FACTS_FILE: unset, the built-in facts ({@link #BUILT_IN_FACTS}); {@code none}, null. */
    private static String factsFile(Env env) {
        String file = FACTS_FILE.from(env);
        return file == null ? BUILT_IN_FACTS : file.equals("none") ? null : file;
    }

    /**
     * The longest column value decoded, in the stream and the snapshot: a longer one could never fit in a Kafka record
     * (twice the limit: no JSON form of it is that much smaller), so it is skipped unread and its event goes by the
     * oversize policy.
     */
    public int maxValueBytes() {
        return (int) Math.min(Integer.MAX_VALUE, 2L * maxRecordBytes);
    }

    /**
     * POSTGRES_CDC_TOPIC_RETENTION: {@code compact} (per-table topics' default: the newest change of every row is kept
     * for good, so a consumer that falls behind or starts late loses nothing it needs), {@code forever} (the single
     * topic's default: tables' keys share it, so compaction would mix them), or a duration after which Kafka deletes
     * changes whether consumed or not.
     */
    static Map<String, String> changeTopicConfig(Env env, TopicRouting routing) {
        String value = TOPIC_RETENTION.from(env, routing.isSingleTopic() ? "forever" : "compact");
        return switch (value) {
            case "compact" -> {
                if (routing.isSingleTopic()) {
                    throw new ConfigException("POSTGRES_CDC_TOPIC_RETENTION=compact with POSTGRES_CDC_TOPIC set: the tables' keys "
                            + "share one topic, so compaction would drop rows of one table for another's; use forever or a duration");
                }
                yield Map.of("cleanup.policy", "compact");
            }
            case "forever" -> Map.of("cleanup.policy", "delete", "retention.ms", "-1", "retention.bytes", "-1");
            default -> {
                try {
                    yield Map.of("cleanup.policy", "delete",
                            "retention.ms", String.valueOf(env.duration(TOPIC_RETENTION.name(), null).toMillis()));
                } catch (ConfigException e) {
                    throw new ConfigException("POSTGRES_CDC_TOPIC_RETENTION must be compact, forever or a duration such as 168h, got '"
                            + value + "'");
                }
            }
        };
    }

    /** POSTGRES_CDC_TABLES (comma list or *) first, then POSTGRES_CDC_TABLES_JSON, then the seed's four tables. */
    static List<String> tables(Env env) {
        List<String> listed = TABLES.from(env);
        if (listed == null) {
            String json = TABLES_JSON.from(env);
            listed = json == null ? SEED_TABLES : jsonTables(json);
        }
        if (listed.contains("*")) {
            return List.of();
        }
        if (listed.isEmpty()) {
            throw new ConfigException("POSTGRES_CDC_TABLES lists no table: give table names separated by commas, or *");
        }
        return List.copyOf(listed);
    }

    private static List<String> jsonTables(String json) {
        JsonNode node;
        try {
            node = Json.read(json);
        } catch (RuntimeException e) {
            node = null;
        }
        if (node == null || !node.isArray()) {
            throw new ConfigException("POSTGRES_CDC_TABLES_JSON must be a JSON array of table names such as "
                    + "[\"customers\",\"orders\"], got '" + json + "'");
        }
        List<String> names = new ArrayList<>();
        node.forEach(n -> names.add(n.asText()));
        return names;
    }
}

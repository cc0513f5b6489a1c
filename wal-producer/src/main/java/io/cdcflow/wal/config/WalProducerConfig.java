package io.cdcflow.wal.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdcflow.common.config.ConfigException;
import io.cdcflow.common.config.Env;
import io.cdcflow.common.config.HostPort;
import io.cdcflow.common.config.PostgresDsn;
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
        io.cdcflow.common.ops.HttpAuth httpAuth,
        io.cdcflow.common.ops.HttpTls httpTls,
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
        Duration tablesRefresh) {

    public static final List<String> SEED_TABLES = List.of("customers", "products", "orders", "order_items");

    public enum OversizePolicy { FAIL, DEAD_LETTER }

    public static WalProducerConfig from(Env env) {
        String prefix = env.string("POSTGRES_CDC_TOPIC_PREFIX", TopicRouting.DEFAULT_PREFIX);
        TopicRouting routing = env.optional("POSTGRES_CDC_TOPIC").map(TopicRouting::single)
                .orElse(TopicRouting.perTable(prefix));
        String prefixDot = prefix.isEmpty() ? "" : prefix + ".";
        return new WalProducerConfig(
                PostgresDsn.fromEnv(env),
                env.string("POSTGRES_CDC_SCHEMA", "public"),
                env.string("POSTGRES_CDC_PUBLICATION", "redpanda_cdc_publication"),
                env.string("POSTGRES_CDC_SLOT", "redpanda_cdc_slot"),
                tables(env),
                env.optional("POSTGRES_CDC_WAIT_FOR_TABLE").orElse(null),
                routing,
                env.firstOf("POSTGRES_CDC_BROKER_ADDRESS", "KAFKA_BOOTSTRAP_SERVERS").orElse("redpanda:9092"),
                env.asProperties("KAFKA_"),
                env.hostPort("POSTGRES_CDC_HTTP_ADDR", "0.0.0.0:4195"),
                io.cdcflow.common.ops.HttpAuth.fromEnv(env, "POSTGRES_CDC_HTTP_TOKEN", "POSTGRES_CDC_HTTP_AUTH"),
                io.cdcflow.common.ops.HttpTls.fromEnv(env, "POSTGRES_CDC_HTTP_TLS_CERT", "POSTGRES_CDC_HTTP_TLS_KEY"),
                env.bool("POSTGRES_CDC_SNAPSHOT", true),
                env.integer("POSTGRES_CDC_SNAPSHOT_BATCH_ROWS", 10_000, 1, 10_000_000),
                env.integer("POSTGRES_CDC_TOPIC_PARTITIONS", 3, 1, 10_000),
                changeTopicConfig(env, routing),
                env.string("POSTGRES_CDC_STATE_TOPIC", prefixDot + "_wal_producer_state"),
                env.string("POSTGRES_CDC_SCHEMA_TOPIC", prefixDot + "_schemas"),
                env.string("POSTGRES_CDC_DEAD_LETTER_TOPIC", prefixDot + "_dead_letter"),
                env.choice("POSTGRES_CDC_OVERSIZE", OversizePolicy.FAIL, OversizePolicy.class),
                env.integer("KAFKA_MAX_REQUEST_SIZE", 1_048_576, 1024, Integer.MAX_VALUE),
                env.duration("POSTGRES_CDC_STATUS_INTERVAL", Duration.ofSeconds(10)),
                env.duration("POSTGRES_CDC_HEARTBEAT_INTERVAL", Duration.ofSeconds(10)),
                env.integer("POSTGRES_CDC_CONNECT_ATTEMPTS", 60, 1, 1_000_000),
                env.duration("POSTGRES_CDC_CONNECT_INTERVAL", Duration.ofSeconds(2)),
                env.duration("POSTGRES_CDC_TABLES_REFRESH", Duration.ofSeconds(30)));
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
        String value = env.string("POSTGRES_CDC_TOPIC_RETENTION", routing.isSingleTopic() ? "forever" : "compact");
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
                            "retention.ms", String.valueOf(env.duration("POSTGRES_CDC_TOPIC_RETENTION", null).toMillis()));
                } catch (ConfigException e) {
                    throw new ConfigException("POSTGRES_CDC_TOPIC_RETENTION must be compact, forever or a duration such as 168h, got '"
                            + value + "'");
                }
            }
        };
    }

    /** POSTGRES_CDC_TABLES (comma list or *) first, then POSTGRES_CDC_TABLES_JSON, then the seed's four tables. */
    static List<String> tables(Env env) {
        List<String> listed = env.list("POSTGRES_CDC_TABLES", null);
        if (listed == null) {
            listed = env.optional("POSTGRES_CDC_TABLES_JSON").map(WalProducerConfig::jsonTables).orElse(SEED_TABLES);
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

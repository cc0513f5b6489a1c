package io.cdcflow.streams.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.config.Env;
import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.ChangeEventCodec;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.json.JsonNodeSerde;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.facts.DemoTables;
import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.facts.FactPlanner;
import io.cdcflow.streams.facts.FactsFile;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The real topology of a facts file (the default one unless given) in a TopologyTestDriver, fed change events shaped
 * exactly as the wal-producer publishes them.
 */
final class TopologyFixture implements AutoCloseable {
    final StreamsAppConfig config;
    final List<FactPlan> plans;
    final Metrics metrics = new Metrics();
    final TopologyTestDriver driver;
    private final Map<String, TestInputTopic<String, byte[]>> inputs = new HashMap<>();
    private final Map<String, TestOutputTopic<String, JsonNode>> outputs = new HashMap<>();
    /** Every output record so far, per topic, in emission order. */
    private final Map<String, List<TestRecord<String, JsonNode>>> emitted = new HashMap<>();
    private long lsn = 0x1000;
    /** Each table's primary key, to key its records as the wal-producer does. */
    private final Map<String, RowSchema> tables;
    /** Where the source tables' snapshots stand, as the app's watch would say: none known until a test says so. */
    final SnapshotPositions snapshots = new SnapshotPositions();

    TopologyFixture(Map<String, String> env) {
        this(env, OutputSchemas.NONE);
    }

    TopologyFixture(Map<String, String> env, OutputSchemas schemas) {
        this(FactsFile.load(null), DemoTables.schemas(), env, schemas);
    }

    /** The facts of {@code sql} planned against {@code tables}. */
    TopologyFixture(String sql, Map<String, RowSchema> tables) {
        this(FactsFile.parse(sql, "test facts"), tables, Map.of(), OutputSchemas.NONE);
    }

    TopologyFixture(FactsFile facts, Map<String, RowSchema> tables, Map<String, String> env, OutputSchemas schemas) {
        this(facts, tables, env, schemas, Boolean.getBoolean("topology.fromTopics"));
    }

    /** @param fromTopics every source table read as a KTable its own topic restores, where the app could so read it */
    TopologyFixture(FactsFile facts, Map<String, RowSchema> tables, Map<String, String> env, OutputSchemas schemas, boolean fromTopics) {
        this.tables = tables;
        config = StreamsAppConfig.from(new Env(env));
        plans = new FactPlanner(config.schema(), tables::get).plan(facts);
        // the app's own settings (store kinds, idling, guarantee), with a scratch application and state directory
        Properties props = io.cdcflow.streams.StreamsApp.properties(config);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        try {
            props.put(StreamsConfig.STATE_DIR_CONFIG, java.nio.file.Files.createTempDirectory("topology-test").toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        driver = new TopologyTestDriver(FactTopology.build(config, plans, metrics, schemas, JoinPaths.toTables(plans,
                config.localTables() == null ? List.of() : config.localTables()), fromTopics ? fromTopics(config, plans) : java.util.Set.of(),
                topic -> 1, snapshots), props);
    }

    TopologyFixture() {
        this(Map.of());
    }

    /**
     * Every source table, read as a KTable its own topic restores ({@code SourceTopicStore}), where the app could so
     * read it (the default for the build's second run of the topology tests, {@code -Dtopology.fromTopics=true}).
     */
    private static java.util.Set<String> fromTopics(StreamsAppConfig config, List<FactPlan> plans) {
        if (config.singleInputTopic() != null || !config.exactlyOnce()) {
            return java.util.Set.of();
        }
        java.util.Set<String> tables = new java.util.TreeSet<>();
        plans.forEach(plan -> tables.addAll(plan.tables()));
        return tables;
    }

    /** Sends one change of a table, at the next commit LSN. Returns that LSN. */
    long change(String table, Operation op, ObjectNode row, String... unchangedToast) {
        lsn += 0x100;
        return change(table, op, row, lsn, 0, unchangedToast);
    }

    long change(String table, Operation op, ObjectNode row, long commitLsn, long seq, String... unchangedToast) {
        return change(table, op, row, commitLsn, seq, java.time.Instant.now(), unchangedToast);
    }

    /** Sends one change committed at {@code committed} (the record's time, as the wal-producer sets it). */
    long changeCommittedAt(String table, Operation op, ObjectNode row, java.time.Instant committed) {
        lsn += 0x100;
        return change(table, op, row, lsn, 0, committed);
    }

    private long change(String table, Operation op, ObjectNode row, long commitLsn, long seq, java.time.Instant committed,
                        String... unchangedToast) {
        ChangeEvent event = ChangeEvent.ofRow(table, op, row, commitLsn, seq, List.of(unchangedToast));
        ObjectNode key = Json.object();
        RowSchema schema = tables.get(table);
        (schema == null ? List.of("id") : schema.primaryKey()).forEach(k -> key.set(k, row.get(k)));
        raw(config.inputTopic(table), new TestRecord<>(key.toString(), ChangeEventCodec.valueBytes(event), committed));
        return commitLsn;
    }

    void raw(String topic, String key, byte[] value) {
        raw(topic, new TestRecord<>(key, value));
    }

    void raw(String topic, TestRecord<String, byte[]> record) {
        inputs.computeIfAbsent(topic, t -> driver.createInputTopic(t, Serdes.String().serializer(), Serdes.ByteArray().serializer()))
                .pipeInput(record);
    }

    void raw(String topic, String key, String value) {
        raw(topic, key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** All records emitted so far to an output topic. */
    List<TestRecord<String, JsonNode>> emitted(String topic) {
        List<TestRecord<String, JsonNode>> all = emitted.computeIfAbsent(topic, t -> new java.util.ArrayList<>());
        all.addAll(outputs.computeIfAbsent(topic, t -> driver.createOutputTopic(t, Serdes.String().deserializer(),
                new JsonNodeSerde().deserializer())).readRecordsToList());
        return all;
    }

    /** The latest record per key: what a ReplacingMergeTree keeps if versions are right. */
    Map<String, JsonNode> latest(String topic) {
        Map<String, JsonNode> latest = new LinkedHashMap<>();
        for (TestRecord<String, JsonNode> r : emitted(topic)) {
            latest.put(r.key(), r.value());
        }
        return latest;
    }

    /** The row per key with the highest _version: what a ReplacingMergeTree keeps in fact. */
    Map<String, JsonNode> highestVersion(String topic) {
        Map<String, JsonNode> best = new LinkedHashMap<>();
        for (TestRecord<String, JsonNode> r : emitted(topic)) {
            JsonNode current = best.get(r.key());
            if (current == null || r.value().get("_version").asLong() >= current.get("_version").asLong()) {
                best.put(r.key(), r.value());
            }
        }
        return best;
    }

    static ObjectNode row(Object... pairs) {
        ObjectNode row = Json.object();
        for (int i = 0; i < pairs.length; i += 2) {
            row.set((String) pairs[i], Json.MAPPER.valueToTree(pairs[i + 1]));
        }
        return row;
    }

    @Override
    public void close() {
        driver.close();
    }
}

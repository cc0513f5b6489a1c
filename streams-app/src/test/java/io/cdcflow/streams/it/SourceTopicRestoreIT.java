package io.cdcflow.streams.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.ChangeEventCodec;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.streams.StreamsApp;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.MetricsPage;
import io.cdcflow.testsupport.Ports;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.TopicReader;
import io.cdcflow.testsupport.Waiting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Source tables whose stores their compacted topics restore, with no changelog, against the real broker: an instance
 * starting on empty local state restores the rows from the topics as processing built them (a stale re-delivery in the
 * topic ignored, LSNs kept, so one after the restart is ignored too), and a row whose newer events compaction removed
 * while a stale one stayed comes back from the table's newest-rows topic. The joins' stores (subscriptions, pairs) come
 * back from their topics too: a product's change after the restart re-joins every item.
 */
@ExtendWith(RealServices.class)
class SourceTopicRestoreIT {
    private static final int ITEMS = 30;
    /** The item whose newer events are deleted from its topic before the restart, as compaction could. */
    private static final int COMPACTED = 1000;

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "memory"})
    void aStartOnEmptyLocalStateRestoresTheRowsFromTheTopic(String stores, KafkaEndpoint kafka) throws Exception {
        String run = "r" + UUID.randomUUID().toString().substring(0, 8);
        StreamsAppConfig first = config(kafka, run, Files.createTempDirectory("restore-a"), stores);
        try (Admin admin = kafka.admin()) {
            List<NewTopic> inputs = List.of("customers", "products", "orders", "order_items").stream()
                    // the items' topic keeps every change for good, so records can be deleted from it here as compaction could
                    .map(table -> new NewTopic(first.inputTopic(table), 3, (short) 1).configs(table.equals("order_items")
                            ? Map.of("cleanup.policy", "delete", "retention.ms", "-1", "retention.bytes", "-1")
                            : Map.of("cleanup.policy", "compact")))
                    .toList();
            admin.createTopics(inputs).all().get(30, TimeUnit.SECONDS);
        }
        RunConfig.publishSchemas(kafka, first);
        String output = RunConfig.output(run, "order_item_fact");
        kafka.createTopics(3, output, RunConfig.output(run, "order_fact"), RunConfig.output(run, "customer_dim"),
                RunConfig.output(run, "product_dim"));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties());
             TopicReader reader = new TopicReader(kafka, List.of(output))) {
            send(producer, first, "products", 0x100, Json.object().put("id", 1).put("name", "lamp").put("category", "home").put("price", 10));
            send(producer, first, "orders", 0x100, Json.object().put("id", 1).put("customer_id", 1).put("total", 5).put("status", "new")
                    .put("created_at", "2026-11-24T10:00:00Z"));
            // first in its partition: its first two events can be deleted without touching the other items'
            var first0 = send(producer, first, "order_items", 0x200, item(COMPACTED, 1));
            send(producer, first, "order_items", 0x300, item(COMPACTED, 2));
            var stale = send(producer, first, "order_items", 0x200, item(COMPACTED, 1));
            assertThat(first0.offset()).as("the topic is new").isZero();
            for (int id = 1; id <= ITEMS; id++) {
                send(producer, first, "order_items", 0x200, item(id, 1));
                send(producer, first, "order_items", 0x300, item(id, 2));
                send(producer, first, "order_items", 0x200, item(id, 1)); // a stale re-delivery: ignored
            }
            try (StreamsApp app = new StreamsApp(first, new Metrics())) {
                app.start();
                awaitFacts(reader, fact -> fact.path("quantity").asInt() == 2 && fact.path("product_name").asText().equals("lamp"));
            }
            try (Admin admin = kafka.admin()) {
                Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                assertThat(topics).doesNotContain(run + "-order_items-table-changelog", run + "-orders-table-changelog")
                        .contains(run + "-order_items-table-newest-changelog");
                // the subscriptions' and the pairs' stores are restored from the topics their processors read
                String join = run + "-" + run + "_order_item_fact-p-"; // the facts are named after the run
                assertThat(topics).contains(join + "subscriptions-changelog", join + "parents-changelog")
                        .doesNotContain(join + "subscribers-changelog");
                // compaction keeping only the stale event of the item: its two newer ones deleted
                admin.deleteRecords(Map.of(new org.apache.kafka.common.TopicPartition(stale.topic(), stale.partition()),
                        org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(stale.offset()))).all().get(30, TimeUnit.SECONDS);
            }

            // another state directory: the items' rows come back from their topic, with their LSNs
            StreamsAppConfig second = config(kafka, run, Files.createTempDirectory("restore-b"), stores);
            Metrics metrics = new Metrics();
            try (StreamsApp app = new StreamsApp(second, metrics)) {
                app.start();
                assertThat(Waiting.until(Duration.ofSeconds(90), Duration.ofMillis(200), () -> app.state() == KafkaStreams.State.RUNNING))
                        .isTrue();
                // the restoration was followed: every item's events at least, and nothing left to restore at RUNNING
                assertThat(MetricsPage.value(metrics.scrape(), "streams_restore_records_total")).isGreaterThanOrEqualTo(ITEMS);
                assertThat(MetricsPage.value(metrics.scrape(), "streams_restore_offsets_remaining")).isZero();
                send(producer, second, "order_items", 0x200, item(1, 1)); // stale: the restored row is newer
                send(producer, second, "products", 0x400, Json.object().put("id", 1).put("name", "desk lamp").put("category", "home")
                        .put("price", 10));
                // the product's change re-joins every item with its row as restored: the newest, not the stale one
                awaitFacts(reader, fact -> fact.path("quantity").asInt() == 2 && fact.path("product_name").asText().equals("desk lamp"));
            }
        }
    }

    private static ObjectNode item(int id, int quantity) {
        return Json.object().put("id", id).put("order_id", 1).put("product_id", 1).put("quantity", quantity).put("price", 10);
    }

    private static org.apache.kafka.clients.producer.RecordMetadata send(KafkaProducer<byte[], byte[]> producer, StreamsAppConfig config,
                                                                          String table, long lsn, ObjectNode row) throws Exception {
        ChangeEvent event = ChangeEvent.ofRow(table, Operation.INSERT, row, lsn, 0);
        return producer.send(new ProducerRecord<>(config.inputTopic(table), ChangeEventCodec.keyBytes(event),
                ChangeEventCodec.valueBytes(event))).get();
    }

    /** Waits until every item's newest fact (by version) satisfies {@code done}, and asserts it. */
    private static void awaitFacts(TopicReader reader, java.util.function.Predicate<JsonNode> done) {
        java.util.function.Predicate<List<ConsumerRecord<byte[], byte[]>>> all = records -> {
            Map<Integer, JsonNode> latest = latest(records);
            return latest.size() == ITEMS + 1 && latest.values().stream().allMatch(done);
        };
        List<ConsumerRecord<byte[], byte[]>> records = reader.readUntil(Duration.ofSeconds(90), all);
        assertThat(all.test(records)).as("item facts: %s", latest(records)).isTrue();
    }

    private static Map<Integer, JsonNode> latest(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<Integer, JsonNode> latest = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            JsonNode fact = Json.read(record.value());
            latest.merge(fact.get("order_item_id").asInt(), fact,
                    (old, now) -> now.get("_version").asLong() >= old.get("_version").asLong() ? now : old);
        }
        return latest;
    }

    /** Joins through Kafka only (every join reads the rows it comes from in their stores), state kept in {@code stores}. */
    private static StreamsAppConfig config(KafkaEndpoint kafka, String run, Path state, String stores) {
        int port = Ports.free();
        return RunConfig.of(kafka, run, Map.of("STREAMS_HTTP_ADDR", "127.0.0.1:" + port, "STREAMS_ADVERTISED_ADDR", "127.0.0.1:" + port,
                "STREAMS_STATE_DIR", state.toString(), "STREAMS_LOCAL_TABLES", "none", "STREAMS_STATE_STORES", stores));
    }
}

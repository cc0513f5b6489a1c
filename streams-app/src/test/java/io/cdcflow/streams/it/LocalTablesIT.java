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
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Small tables joined inside each task (STREAMS_LOCAL_TABLES) against the real broker: their changes reach every
 * partition's task, the facts are complete across two instances and after a restart, and a change of which tables are
 * local on existing state stops the start with the way out.
 */
@ExtendWith(RealServices.class)
class LocalTablesIT {
    private static final int CUSTOMERS = 12;
    private static final int ORDERS = 40;

    @Test
    void everyPartitionsFactsTakeTheirCustomersAcrossInstancesAndRestarts(KafkaEndpoint kafka) throws Exception {
        String run = "t" + UUID.randomUUID().toString().substring(0, 8);
        Path stateA = Files.createTempDirectory("local-a");
        Path stateB = Files.createTempDirectory("local-b");
        StreamsAppConfig a = config(kafka, run, stateA, "customers,products");
        StreamsAppConfig b = config(kafka, run, stateB, "customers,products");
        RunConfig.createInputs(kafka, a, 4);
        RunConfig.publishSchemas(kafka, a);
        kafka.createTopics(4, RunConfig.output(run, "order_fact"), RunConfig.output(run, "order_item_fact"),
                RunConfig.output(run, "customer_dim"), RunConfig.output(run, "product_dim"));
        long lsn = 0x100;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties());
             TopicReader reader = new TopicReader(kafka, List.of(RunConfig.output(run, "order_fact")))) {
            for (int id = 1; id <= ORDERS; id++) { // orders first: their customers come later, through the copies
                send(producer, a, "orders", Json.object().put("id", id).put("customer_id", 1 + id % CUSTOMERS).put("total", id)
                        .put("status", "new").put("created_at", "2026-11-24T10:00:00Z"), lsn++);
            }
            try (StreamsApp first = new StreamsApp(a, new Metrics()); StreamsApp second = new StreamsApp(b, new Metrics())) {
                first.start();
                second.start();
                assertThat(Waiting.until(Duration.ofSeconds(90), Duration.ofMillis(200),
                        () -> first.state() == KafkaStreams.State.RUNNING && second.state() == KafkaStreams.State.RUNNING)).isTrue();
                renameCustomers(producer, a, "first", lsn);
                lsn += CUSTOMERS;
                awaitNames(reader, "first");
            }
            // both stopped; a restart restores the copies, the index and the joined rows from their changelogs
            try (StreamsApp again = new StreamsApp(a, new Metrics())) {
                again.start();
                renameCustomers(producer, a, "second", lsn);
                lsn += CUSTOMERS;
                awaitNames(reader, "second");
                send(producer, a, "orders", Json.object().put("id", 1).put("customer_id", 2).put("total", 1).put("status", "moved")
                        .put("created_at", "2026-11-24T10:00:00Z"), lsn++);
                awaitLatest(reader, latest -> latest.get(1) != null && latest.get(1).path("customer_name").asText().equals("customer 2 second"));
            }
            // the same state with products no longer local: refused, naming the way out
            StreamsAppConfig changed = config(kafka, run, stateA, "customers");
            try (StreamsApp app = new StreamsApp(changed, new Metrics())) {
                assertThat(org.assertj.core.api.Assertions.catchThrowable(app::start))
                        .hasMessageContaining("STREAMS_LOCAL_TABLES for fact " + run + "_order_item_fact")
                        .hasMessageContaining("kafka-streams-application-reset.sh --bootstrap-server <kafka> --application-id " + run);
                assertThat(app.state()).isEqualTo(KafkaStreams.State.CREATED);
            }
        }
    }

    private static void renameCustomers(KafkaProducer<byte[], byte[]> producer, StreamsAppConfig config, String name, long lsn)
            throws Exception {
        for (int id = 1; id <= CUSTOMERS; id++) {
            send(producer, config, "customers", Json.object().put("id", id).put("name", "customer " + id + " " + name)
                    .put("email", "c" + id + "@x"), lsn + id);
        }
    }

    /** Waits until every order's newest fact carries its customer's name ending in {@code name}. */
    private static void awaitNames(TopicReader reader, String name) {
        awaitLatest(reader, latest -> latest.size() == ORDERS && latest.entrySet().stream().allMatch(e -> e.getValue()
                .path("customer_name").asText().equals("customer " + (1 + e.getKey() % CUSTOMERS) + " " + name)));
    }

    private static void awaitLatest(TopicReader reader, java.util.function.Predicate<Map<Integer, JsonNode>> done) {
        List<ConsumerRecord<byte[], byte[]>> records = reader.readUntil(Duration.ofSeconds(90), rs -> done.test(latest(rs)));
        assertThat(done.test(latest(records))).as("facts: %s", latest(records)).isTrue();
    }

    /** The newest fact per order, by version. */
    private static Map<Integer, JsonNode> latest(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<Integer, JsonNode> latest = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            JsonNode fact = Json.read(record.value());
            latest.merge(fact.get("order_id").asInt(), fact,
                    (old, now) -> now.get("_version").asLong() >= old.get("_version").asLong() ? now : old);
        }
        return latest;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, StreamsAppConfig config, String table, ObjectNode row, long lsn)
            throws Exception {
        ChangeEvent event = ChangeEvent.ofRow(table, Operation.INSERT, row, lsn, 0);
        producer.send(new ProducerRecord<>(config.inputTopic(table), ChangeEventCodec.keyBytes(event), ChangeEventCodec.valueBytes(event))).get();
    }

    private static StreamsAppConfig config(KafkaEndpoint kafka, String run, Path state, String localTables) throws Exception {
        int port = Ports.free();
        return RunConfig.of(kafka, run, Map.of("STREAMS_HTTP_ADDR", "127.0.0.1:" + port, "STREAMS_ADVERTISED_ADDR", "127.0.0.1:" + port,
                "STREAMS_STATE_DIR", state.toString(), "STREAMS_LOCAL_TABLES", localTables));
    }
}

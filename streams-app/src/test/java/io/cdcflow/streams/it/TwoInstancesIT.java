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
import io.cdcflow.streams.topology.FactTopology;
import io.cdcflow.streams.topology.OutputSchemas;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.TopicReader;
import io.cdcflow.testsupport.Waiting;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two streams-app instances against the real broker share the work; one is stopped mid-stream; the facts still
 * converge on what the source rows say. Run under both processing guarantees.
 */
@ExtendWith(RealServices.class)
class TwoInstancesIT {
    private final Random random = new Random(42);
    private final Map<Integer, ObjectNode> customers = new TreeMap<>();
    private final Map<Integer, ObjectNode> orders = new TreeMap<>();
    private long lsn = 0x10000;

    @ParameterizedTest
    @ValueSource(strings = {"at_least_once", "exactly_once_v2"})
    void factsConvergeWhenAnInstanceStopsMidStream(String guarantee, KafkaEndpoint kafka) throws Exception {
        String run = "s" + UUID.randomUUID().toString().substring(0, 8);
        StreamsAppConfig config = RunConfig.of(kafka, run, Map.of("STREAMS_PROCESSING_GUARANTEE", guarantee));
        RunConfig.createInputs(kafka, config, 4);
        kafka.createTopics(4, RunConfig.output(run, "order_fact"), RunConfig.output(run, "order_item_fact"),
                RunConfig.output(run, "customer_dim"), RunConfig.output(run, "product_dim"), config.deadLetterTopic());

        StreamsApp.commitStartOffsets(config, List.of("customers", "products", "orders", "order_items"));
        StreamsApp.createOwnTopics(config, RunConfig.plans(config), io.cdcflow.streams.topology.JoinPaths.foreignKeysOnly(), fromTopics(config));
        KafkaStreams first = start(config, "a");
        KafkaStreams second = start(config, "b");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            assertThat(Waiting.until(Duration.ofSeconds(90), Duration.ofMillis(200),
                    () -> first.state() == KafkaStreams.State.RUNNING && second.state() == KafkaStreams.State.RUNNING)).isTrue();
            for (int i = 0; i < 600; i++) {
                step(producer, config);
                if (i == 300) {
                    producer.flush();
                    Thread.sleep(1000);
                    first.close(Duration.ofSeconds(30));
                }
            }
            producer.flush();
        }
        try (TopicReader reader = new TopicReader(kafka, List.of(RunConfig.output(run, "order_fact")))) {
            Map<String, JsonNode> expected = expectedOrderFacts();
            List<ConsumerRecord<byte[], byte[]>> records = reader.readUntil(Duration.ofSeconds(120),
                    rs -> winners(rs).equals(expected));
            assertThat(winners(records)).isEqualTo(expected);
        } finally {
            first.close(Duration.ofSeconds(30));
            second.close(Duration.ofSeconds(30));
        }
    }

    /** One random source change: customer insert/rename/delete, order insert/update/move/delete. */
    private void step(KafkaProducer<byte[], byte[]> producer, StreamsAppConfig config) {
        int roll = random.nextInt(10);
        if (roll < 2 || customers.isEmpty()) {
            int id = random.nextInt(30) + 1;
            ObjectNode row = Json.object().put("id", id).put("name", "customer " + id + " v" + lsn).put("email", id + "@example.com");
            Operation op = customers.containsKey(id) ? Operation.UPDATE : Operation.INSERT;
            customers.put(id, row);
            send(producer, config, "customers", op, row);
        } else if (roll < 3) {
            int id = customers.keySet().stream().skip(random.nextInt(customers.size())).findFirst().orElseThrow();
            send(producer, config, "customers", Operation.DELETE, Json.object().put("id", id));
            customers.remove(id);
        } else if (roll < 9) {
            int id = random.nextInt(120) + 1;
            ObjectNode row = Json.object().put("id", id).put("customer_id", random.nextInt(32) + 1)
                    .put("total", new java.math.BigDecimal(random.nextInt(10_000)).movePointLeft(2)).put("status", "s" + lsn)
                    .put("created_at", "2026-11-24T10:00:00Z");
            Operation op = orders.containsKey(id) ? Operation.UPDATE : Operation.INSERT;
            orders.put(id, row);
            send(producer, config, "orders", op, row);
        } else if (!orders.isEmpty()) {
            int id = orders.keySet().stream().skip(random.nextInt(orders.size())).findFirst().orElseThrow();
            ObjectNode last = orders.remove(id);
            send(producer, config, "orders", Operation.DELETE, Json.object().put("id", id));
            deletedOrders.put(id, last);
        }
    }

    private final Map<Integer, ObjectNode> deletedOrders = new TreeMap<>();

    private void send(KafkaProducer<byte[], byte[]> producer, StreamsAppConfig config, String table, Operation op, ObjectNode row) {
        lsn += 0x40;
        ChangeEvent event = ChangeEvent.ofRow(table, op, row, lsn, 0);
        producer.send(new ProducerRecord<>(config.inputTopic(table), ChangeEventCodec.keyBytes(event), ChangeEventCodec.valueBytes(event)));
    }

    /** What PostgreSQL's join would say: live orders with their customer, deleted orders as deleted. */
    private Map<String, JsonNode> expectedOrderFacts() {
        Map<String, JsonNode> facts = new TreeMap<>();
        orders.forEach((id, order) -> {
            deletedOrders.remove(id);
            ObjectNode customer = customers.get(order.get("customer_id").asInt());
            facts.put("{\"order_id\":" + id + "}", Json.object().put("customer_name", customer == null ? null : customer.get("name").asText())
                    .put("status", order.get("status").asText()).put("_deleted", 0));
        });
        deletedOrders.keySet().forEach(id -> facts.put("{\"order_id\":" + id + "}", Json.object().put("_deleted", 1)));
        return facts;
    }

    /** Per key, the record with the highest _version, reduced to what the expectation compares. */
    private static Map<String, JsonNode> winners(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, JsonNode> best = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String key = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
            JsonNode value = Json.read(r.value());
            JsonNode current = best.get(key);
            if (current == null || value.get("_version").asLong() > current.get("_version").asLong()) {
                best.put(key, value);
            }
        }
        Map<String, JsonNode> reduced = new TreeMap<>();
        best.forEach((key, fact) -> reduced.put(key, fact.get("_deleted").asInt() == 1 ? Json.object().put("_deleted", 1)
                : Json.object().put("customer_name", fact.get("customer_name").isNull() ? null : fact.get("customer_name").asText())
                        .put("status", fact.get("status").asText()).put("_deleted", 0)));
        return reduced;
    }

    /** Under exactly-once, every source table: restored from its topic, so the tasks moving between the instances restore their rows from it. */
    private static java.util.Set<String> fromTopics(StreamsAppConfig config) {
        java.util.Set<String> tables = new java.util.TreeSet<>();
        if (config.processingGuarantee().equals(StreamsConfig.EXACTLY_ONCE_V2)) {
            RunConfig.plans(config).forEach(plan -> tables.addAll(plan.tables()));
        }
        return tables;
    }

    private static KafkaStreams start(StreamsAppConfig config, String instance) throws Exception {
        Properties props = StreamsApp.properties(config);
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("streams-" + instance).toString());
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, "localhost:" + (instance.equals("a") ? 1 : 2));
        props.put(StreamsConfig.consumerPrefix(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), "instance-" + instance);
        props.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 10_000);
        // every join through Kafka, on the 4 partitions of each input topic
        KafkaStreams streams = new KafkaStreams(FactTopology.build(config, RunConfig.plans(config), new Metrics(), OutputSchemas.NONE,
                io.cdcflow.streams.topology.JoinPaths.foreignKeysOnly(), fromTopics(config), topic -> 4), props);
        streams.start();
        return streams;
    }
}

package io.cdcflow.streams.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.ChangeEventCodec;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.json.Json;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.testsupport.TopicReader;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Orders and their customers as change events on the real broker, and the order facts they end in: order {@code id}
 * belongs to customer {@code 1 + id % customers}, and a rename gives every customer a name ending in one word.
 */
final class OrderFacts {
    final int customers;
    final int orders;
    private final KafkaProducer<byte[], byte[]> producer;
    private final StreamsAppConfig config;
    private long lsn = 0x100;

    OrderFacts(KafkaProducer<byte[], byte[]> producer, StreamsAppConfig config, int customers, int orders) {
        this.producer = producer;
        this.config = config;
        this.customers = customers;
        this.orders = orders;
    }

    void insertOrders() throws Exception {
        for (int id = 1; id <= orders; id++) {
            send("orders", Json.object().put("id", id).put("customer_id", 1 + id % customers).put("total", id)
                    .put("status", "new").put("created_at", "2026-11-24T10:00:00Z"));
        }
    }

    void renameCustomers(String name) throws Exception {
        for (int id = 1; id <= customers; id++) {
            send("customers", Json.object().put("id", id).put("name", "customer " + id + " " + name).put("email", "c" + id + "@x"));
        }
    }

    /** Moves an order to another customer, with a new status. */
    void moveOrder(int id, int customer, String status) throws Exception {
        send("orders", Json.object().put("id", id).put("customer_id", customer).put("total", id).put("status", status)
                .put("created_at", "2026-11-24T10:00:00Z"));
    }

    private void send(String table, ObjectNode row) throws Exception {
        ChangeEvent event = ChangeEvent.ofRow(table, Operation.INSERT, row, lsn++, 0);
        producer.send(new ProducerRecord<>(config.inputTopic(table), ChangeEventCodec.keyBytes(event), ChangeEventCodec.valueBytes(event))).get();
    }

    /** Waits until every order's newest fact carries its customer's name ending in {@code name}. */
    void awaitNames(TopicReader reader, String name) {
        awaitLatest(reader, latest -> latest.size() == orders && latest.entrySet().stream().allMatch(e -> e.getValue()
                .path("customer_name").asText().equals("customer " + (1 + e.getKey() % customers) + " " + name)));
    }

    /** Waits until order {@code id}'s newest fact carries {@code customerName}. */
    static void awaitCustomer(TopicReader reader, int id, String customerName) {
        awaitLatest(reader, latest -> latest.get(id) != null && latest.get(id).path("customer_name").asText().equals(customerName));
    }

    static void awaitLatest(TopicReader reader, Predicate<Map<Integer, JsonNode>> done) {
        List<ConsumerRecord<byte[], byte[]>> records = reader.readUntil(Duration.ofSeconds(90), rs -> done.test(latest(rs)));
        assertThat(done.test(latest(records))).as("facts: %s", latest(records)).isTrue();
    }

    /** The newest fact per order, by version. */
    static Map<Integer, JsonNode> latest(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<Integer, JsonNode> latest = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            JsonNode fact = Json.read(record.value());
            latest.merge(fact.get("order_id").asInt(), fact,
                    (old, now) -> now.get("_version").asLong() >= old.get("_version").asLong() ? now : old);
        }
        return latest;
    }
}

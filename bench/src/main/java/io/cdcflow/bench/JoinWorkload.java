package io.cdcflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.ChangeEventCodec;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.json.Json;
import io.cdcflow.testsupport.KafkaEndpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The join stage's workload, the same for every system measured: the seed's four tables as change topics, filled
 * before the clock starts (customers and products first, then orders and order items, each a CDC insert as the
 * wal-producer writes it), and the two facts of the default facts file to compute. A run is complete when every
 * order and every order item has its fact with the joined columns filled in, as the last record of its key.
 */
final class JoinWorkload {
    /** The two facts both systems compute: the default file's order_fact and order_item_fact. */
    static final String FACTS_SQL = """
            CREATE VIEW order_fact AS
            SELECT o.id AS order_id, o.customer_id, c.name AS customer_name, c.email AS customer_email, o.total, o.status, o.created_at
            FROM orders o LEFT JOIN customers c ON o.customer_id = c.id;

            CREATE VIEW order_item_fact AS
            SELECT i.id AS order_item_id, i.order_id, o.customer_id, i.product_id, p.name AS product_name, p.category AS product_category,
                   i.quantity, i.price, i.quantity * i.price AS line_total, o.status AS order_status
            FROM order_items i LEFT JOIN products p ON i.product_id = p.id LEFT JOIN orders o ON i.order_id = o.id;
            """;

    final int customers;
    final int products;
    final int orders;
    final int items;
    final String prefix;
    /** Whether runs go on, once every fact is complete, to rename every dimension row and time the facts' updates. */
    final boolean fanOut;
    /** The commit LSN of the next change written: every change after the fill is newer than all of it. */
    private long lsn = 0x1000;

    JoinWorkload(String prefix, int orders) {
        this(prefix, orders, 5_000, 1_000, false);
    }

    /**
     * A workload for the fan-out: few dimension rows with many facts each (100 orders per customer, 1,000 order
     * items per product), renamed once the facts are complete.
     */
    static JoinWorkload forFanOut(String prefix, int orders) {
        return new JoinWorkload(prefix, orders, orders / 100, orders * 2 / 1_000, true);
    }

    private JoinWorkload(String prefix, int orders, int customers, int products, boolean fanOut) {
        this.prefix = prefix;
        this.fanOut = fanOut;
        this.orders = orders;
        this.items = orders * 2;
        this.customers = customers;
        this.products = products;
    }

    long events() {
        return customers + products + (long) orders + items;
    }

    String topic(String table) {
        return prefix + ".public." + table;
    }

    /** Creates the four change topics (4 partitions each) and fills them. */
    void fill(KafkaEndpoint kafka) {
        for (String table : List.of("customers", "products", "orders", "order_items")) {
            kafka.createTopics(4, topic(table));
        }
        Properties props = kafka.producerProperties();
        props.put("linger.ms", 20);
        props.put("batch.size", 256 * 1024);
        props.put("compression.type", "lz4");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            sendDimensions(producer, "");
            for (int id = 1; id <= orders; id++) {
                send(producer, "orders", Json.object().put("id", id).put("customer_id", id % customers + 1)
                        .put("total", new java.math.BigDecimal(id % 1000 + ".50")).put("status", "new")
                        .put("created_at", "2026-11-24T10:00:00Z"), Operation.INSERT);
            }
            for (int id = 1; id <= items; id++) {
                send(producer, "order_items", Json.object().put("id", id).put("order_id", id % orders + 1).put("product_id", id % products + 1)
                        .put("quantity", id % 4 + 1).put("price", new java.math.BigDecimal(id % 100 + ".25")), Operation.INSERT);
            }
        }
    }

    /**
     * Renames every customer and product ("customer 7" + suffix), each an update newer than everything before: with
     * foreign-key joins each fans out to every fact pointing at it (KAFKA-16817).
     */
    private void renameDimensions(KafkaEndpoint kafka, String suffix) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            for (java.util.concurrent.Future<?> sent : sendDimensions(producer, suffix)) {
                sent.get(); // each rename is in Kafka: a lost one would leave the run waiting for facts that never change
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a rename was not written to Kafka", e.getCause());
        }
    }

    /**
     * Renames every dimension row once {@code progress} saw every fact complete, and waits until every fact carries
     * the new names: the seconds from the first rename sent to the last fact updated, or -1 after the timeout.
     */
    double timeFanOut(KafkaEndpoint kafka, Progress progress, String suffix) {
        progress.expect(suffix);
        long before = progress.records;
        long renamed = System.nanoTime();
        renameDimensions(kafka, suffix);
        long done = progress.awaitComplete(this, Duration.ofMinutes(20));
        if (done < 0) {
            return -1;
        }
        double seconds = (done - renamed) / 1e9;
        System.out.printf("[bench] fan-out: %,d dimension changes updated %,d facts in %.1f s (%,.0f facts/s), %,d fact records out%n",
                customers + products, orders + items, seconds, (orders + items) / seconds, progress.records - before);
        return seconds;
    }

    /** The fan-out's figure: facts updated per second. */
    Measurement fanOutMeasurement(String system, double seconds) {
        return new Measurement("fan-out", system, orders + items, seconds, -1, String.format(java.util.Locale.ROOT,
                "once the facts of %,d events were complete, every customer (%,d) and product (%,d) renamed: %,d order facts and %,d "
                        + "order item facts updated (%,d and %,d per renamed row); first rename sent to every fact's newest record "
                        + "carrying the new name", events(), customers, products, orders, items, orders / customers, items / products));
    }

    private List<java.util.concurrent.Future<?>> sendDimensions(KafkaProducer<byte[], byte[]> producer, String suffix) {
        Operation operation = suffix.isEmpty() ? Operation.INSERT : Operation.UPDATE;
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (int id = 1; id <= customers; id++) {
            sent.add(send(producer, "customers", Json.object().put("id", id).put("name", "customer " + id + suffix).put("email", id + "@example.com")
                    .putNull("notes"), operation));
        }
        String[] categories = {"office", "garden", "kitchen"};
        for (int id = 1; id <= products; id++) {
            sent.add(send(producer, "products", Json.object().put("id", id).put("name", "product " + id + suffix).put("category", categories[id % 3])
                    .put("price", new java.math.BigDecimal(id % 500 + ".99")), operation));
        }
        return sent;
    }

    private java.util.concurrent.Future<?> send(KafkaProducer<byte[], byte[]> producer, String table, ObjectNode row, Operation operation) {
        ChangeEvent event = ChangeEvent.ofRow(table, operation, row, lsn++, 0);
        return producer.send(new ProducerRecord<>(topic(table), ChangeEventCodec.keyBytes(event), ChangeEventCodec.valueBytes(event)));
    }

    /**
     * Follows the two fact topics from their beginning: the time the first fact appeared, and the time every fact was
     * complete (its newest record has the joined columns), or -1 after the timeout.
     */
    static final class Progress implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final String orderFact;
        private final String itemFact;
        private final Map<String, Boolean> orderDone = new HashMap<>();
        private final Map<String, Boolean> itemDone = new HashMap<>();
        private int ordersComplete;
        private int itemsComplete;
        /** How the joined names end when a fact is complete: "" at first, a rename's suffix after it. */
        private String names = "";
        long firstNanos = -1;
        /** Every fact record read, intermediate results included. */
        long records;

        Progress(KafkaEndpoint kafka, String orderFact, String itemFact) {
            this.orderFact = orderFact;
            this.itemFact = itemFact;
            Properties props = kafka.consumerProperties();
            props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            consumer = new KafkaConsumer<>(props);
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(orderFact, itemFact)) {
                BenchEnv.await("topic " + topic, Duration.ofMinutes(2), () -> !consumer.partitionsFor(topic).isEmpty());
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        /** Reads until every fact of {@code workload} is complete; returns the time then (System.nanoTime()). */
        long awaitComplete(JoinWorkload workload, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (firstNanos < 0) {
                        firstNanos = System.nanoTime();
                    }
                    records++;
                    String key = new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
                    boolean complete = complete(record.topic().equals(orderFact), record.value());
                    if (record.topic().equals(orderFact)) {
                        ordersComplete += delta(orderDone.put(key, complete), complete);
                    } else {
                        itemsComplete += delta(itemDone.put(key, complete), complete);
                    }
                }
                if (ordersComplete == workload.orders && itemsComplete == workload.items) {
                    return System.nanoTime();
                }
            }
            System.out.println("[bench] incomplete after " + timeout + ": " + ordersComplete + "/" + workload.orders + " order facts, "
                    + itemsComplete + "/" + workload.items + " order item facts");
            return -1;
        }

        /**
         * From now on a fact is complete only when its newest record carries names ending in {@code suffix} (after
         * {@link JoinWorkload#timeFanOut} renamed the dimensions); every fact counts as incomplete until its next record says so.
         */
        void expect(String suffix) {
            names = suffix;
            orderDone.clear();
            itemDone.clear();
            ordersComplete = 0;
            itemsComplete = 0;
        }

        private static int delta(Boolean before, boolean now) {
            int was = before != null && before ? 1 : 0;
            return (now ? 1 : 0) - was;
        }

        private boolean complete(boolean order, byte[] value) {
            if (value == null) {
                return false;
            }
            JsonNode fact = Json.read(value);
            if (fact.path("_deleted").asInt(0) == 1) {
                return false;
            }
            return order ? named(fact, "customer_name") : named(fact, "product_name") && fact.hasNonNull("order_status");
        }

        private boolean named(JsonNode fact, String field) {
            return fact.hasNonNull(field) && fact.get(field).asText().endsWith(names);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}

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
    /** What runs time once every fact is complete, besides the join itself. */
    enum After {
        /** Nothing: the join stage. */
        NOTHING,
        /** Every dimension row renamed; the facts' updates timed. */
        FAN_OUT,
        /** Updates of dimension columns no fact reads; the updates absorbed per second and the facts they emit. */
        HOT_ROWS,
        /** Every order item updated, its foreign keys unchanged; the facts' updates timed. */
        ITEM_UPDATES
    }

    final After after;
    /** How many hot-row updates a {@link After#HOT_ROWS} run sends. */
    static final int HOT_UPDATES = Integer.getInteger("bench.hotrows.updates", 20_000);
    /** The commit LSN of the next change written: every change after the fill is newer than all of it. */
    private long lsn = 0x1000;

    JoinWorkload(String prefix, int orders) {
        this(prefix, orders, 5_000, 1_000, After.NOTHING);
    }

    /**
     * A workload for the hot-row stage: the join stage's shape (5,000 customers, 1,000 products), then updates of the
     * customers' notes and the products' prices, columns neither fact reads, as a {@code last_seen_at} would be.
     */
    static JoinWorkload forHotRows(String prefix, int orders) {
        return new JoinWorkload(prefix, orders, 5_000, 1_000, After.HOT_ROWS);
    }

    /**
     * A workload for the item updates: the join stage's shape, then an update of every order item's quantity that
     * leaves its order and product as they were (the commonest change of a fact's root row: a status, an amount).
     */
    static JoinWorkload forItemUpdates(String prefix, int orders) {
        return new JoinWorkload(prefix, orders, 5_000, 1_000, After.ITEM_UPDATES);
    }

    /**
     * A workload for the fan-out: few dimension rows with many facts each (100 orders per customer, 1,000 order
     * items per product), renamed once the facts are complete.
     */
    static JoinWorkload forFanOut(String prefix, int orders) {
        return new JoinWorkload(prefix, orders, orders / 100, orders * 2 / 1_000, After.FAN_OUT);
    }

    private JoinWorkload(String prefix, int orders, int customers, int products, After after) {
        this.prefix = prefix;
        this.after = after;
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

    /** Creates the four change topics (4 partitions each, compacted as the wal-producer makes them) and fills them. */
    void fill(KafkaEndpoint kafka) {
        for (String table : List.of("customers", "products", "orders", "order_items")) {
            kafka.createTopics(4, java.util.Map.of("cleanup.policy", "compact"), topic(table));
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
                send(producer, "order_items", item(id, id % 4 + 1), Operation.INSERT);
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

    /**
     * Times what a run does after the join ({@link #after}) once {@code progress} saw every fact complete: the figure,
     * once the system's label is known, or null when nothing is timed or the run did not finish.
     */
    java.util.function.Function<String, Measurement> timeAfter(KafkaEndpoint kafka, Progress progress, String suffix) {
        switch (after) {
            case FAN_OUT -> {
                double seconds = timeFanOut(kafka, progress, suffix);
                return seconds < 0 ? null : system -> fanOutMeasurement(system, seconds);
            }
            case HOT_ROWS -> {
                return timeHotRows(kafka, progress, suffix);
            }
            case ITEM_UPDATES -> {
                return timeItemUpdates(kafka, progress, suffix);
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * Sends {@link #HOT_UPDATES} updates of columns no fact reads (a customer's notes, a product's price, alternately,
     * spread over every row), then renames one customer and one product per partition: the run has absorbed the hot
     * updates when the renames' facts carry the new names (each partition is read in order). Returns the updates per
     * second from the first sent to then, and the fact records emitted per update (the renames' own facts subtracted),
     * or null after the timeout.
     */
    private java.util.function.Function<String, Measurement> timeHotRows(KafkaEndpoint kafka, Progress progress, String suffix) {
        long before = progress.records;
        long started = System.nanoTime();
        List<Integer> renamedCustomers = onePerPartition("customers", customers);
        List<Integer> renamedProducts = onePerPartition("products", products);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            for (int i = 0; i < HOT_UPDATES; i++) {
                int id = i / 2 % (i % 2 == 0 ? customers : products) + 1;
                send(producer, i % 2 == 0 ? "customers" : "products", i % 2 == 0 ? customer(id, "", "seen at " + i) : product(id, "", i),
                        Operation.UPDATE);
            }
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            renamedCustomers.forEach(id -> sent.add(send(producer, "customers", customer(id, suffix, null), Operation.UPDATE)));
            renamedProducts.forEach(id -> sent.add(send(producer, "products", product(id, suffix, -1), Operation.UPDATE)));
            for (java.util.concurrent.Future<?> f : sent) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a hot-row update was not written to Kafka", e.getCause());
        }
        long renamedFacts = 0;
        for (int id = 1; id <= orders; id++) {
            renamedFacts += renamedCustomers.contains(id % customers + 1) ? 1 : 0;
        }
        for (int id = 1; id <= items; id++) {
            renamedFacts += renamedProducts.contains(id % products + 1) ? 1 : 0;
        }
        long done = progress.awaitRenamed(new java.util.HashSet<>(renamedCustomers), new java.util.HashSet<>(renamedProducts), suffix,
                renamedFacts, Duration.ofMinutes(20));
        if (done < 0) {
            return null;
        }
        double seconds = (done - started) / 1e9;
        long factRecords = progress.records - before;
        double perUpdate = Math.max(0, factRecords - renamedFacts) / (double) HOT_UPDATES;
        System.out.printf("[bench] hot rows: %,d updates of unread columns absorbed in %.1f s (%,.0f updates/s); %,d fact records out, "
                + "%,d of them for the %,d facts of the %d renames: %.2f fact records per hot update%n", HOT_UPDATES, seconds,
                HOT_UPDATES / seconds, factRecords, renamedFacts, renamedFacts, renamedCustomers.size() + renamedProducts.size(), perUpdate);
        return system -> new Measurement("hot rows", system, HOT_UPDATES, seconds, -1, String.format(java.util.Locale.ROOT,
                "once the facts of %,d events were complete, %,d updates of columns no fact reads (customers' notes, products' price; %,d "
                        + "facts read each customer, %,d each product): %.2f fact records emitted per update (goal 0); first update sent "
                        + "to a rename sent after them reaching its facts", events(), HOT_UPDATES, orders / customers, items / products, perUpdate));
    }

    /**
     * Updates every order item's quantity (to a value of this run's own, from {@code suffix}), its order and product as
     * they were, and waits until every order item fact carries it: the updates per second from the first sent to the
     * last fact updated, and the fact records emitted per update, or null after the timeout.
     */
    private java.util.function.Function<String, Measurement> timeItemUpdates(KafkaEndpoint kafka, Progress progress, String suffix) {
        int quantity = 1_000 + Math.floorMod(suffix.hashCode(), 100_000);
        progress.expectQuantity(quantity);
        long before = progress.records;
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            for (int id = 1; id <= items; id++) {
                send(producer, "order_items", item(id, quantity), Operation.UPDATE);
            }
            producer.flush();
        }
        long done = progress.awaitComplete(this, Duration.ofMinutes(20));
        if (done < 0) {
            return null;
        }
        double seconds = (done - started) / 1e9;
        double perUpdate = (progress.records - before) / (double) items;
        System.out.printf("[bench] item updates: %,d order items updated, foreign keys unchanged, in %.1f s (%,.0f updates/s); "
                + "%.2f fact records per update%n", items, seconds, items / seconds, perUpdate);
        return system -> new Measurement("item updates", system, items, seconds, -1, String.format(java.util.Locale.ROOT,
                "once the facts of %,d events were complete, every order item (%,d) updated (its quantity; its order and product "
                        + "unchanged); first update sent to every order item fact carrying the new quantity; %.2f fact records per "
                        + "update", events(), items, perUpdate));
    }

    /** The smallest id of a table's row in each partition of its topic (4 partitions, keyed as the wal-producer keys). */
    private List<Integer> onePerPartition(String table, int rows) {
        Map<Integer, Integer> first = new java.util.TreeMap<>();
        for (int id = 1; id <= rows && first.size() < 4; id++) {
            byte[] key = ("{\"id\":" + id + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            first.putIfAbsent(org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key)) % 4, id);
        }
        return List.copyOf(first.values());
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
            sent.add(send(producer, "customers", customer(id, suffix, null), operation));
        }
        for (int id = 1; id <= products; id++) {
            sent.add(send(producer, "products", product(id, suffix, -1), operation));
        }
        return sent;
    }

    private static ObjectNode customer(int id, String suffix, String notes) {
        return Json.object().put("id", id).put("name", "customer " + id + suffix).put("email", id + "@example.com").put("notes", notes);
    }

    /** @param change a number that sets the price apart from the fill's, or -1 for the fill's */
    private static ObjectNode product(int id, String suffix, int change) {
        String[] categories = {"office", "garden", "kitchen"};
        return Json.object().put("id", id).put("name", "product " + id + suffix).put("category", categories[id % 3])
                .put("price", new java.math.BigDecimal((change < 0 ? id % 500 : change % 100_000) + ".99"));
    }

    private ObjectNode item(int id, int quantity) {
        return Json.object().put("id", id).put("order_id", id % orders + 1).put("product_id", id % products + 1)
                .put("quantity", quantity).put("price", new java.math.BigDecimal(id % 100 + ".25"));
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
        /** The quantity every order item fact must carry to be complete ({@link #expectQuantity}), or -1 for any. */
        private int quantity = -1;
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

        /**
         * Reads until every order fact of the customers {@code customerIds} and every order item fact of the products
         * {@code productIds} ({@code facts} in all) carries names ending in {@code suffix}; returns the time then, or -1
         * after the timeout. Every record read is counted.
         */
        long awaitRenamed(java.util.Set<Integer> customerIds, java.util.Set<Integer> productIds, String suffix, long facts, Duration timeout) {
            names = suffix;
            Map<String, Boolean> done = new HashMap<>();
            long complete = 0;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    records++;
                    if (record.value() == null) {
                        continue;
                    }
                    boolean order = record.topic().equals(orderFact);
                    JsonNode fact = Json.read(record.value());
                    if (!(order ? customerIds.contains(fact.path("customer_id").asInt()) : productIds.contains(fact.path("product_id").asInt()))) {
                        continue;
                    }
                    boolean now = complete(order, record.value());
                    complete += delta(done.put(record.topic() + new String(record.key(), java.nio.charset.StandardCharsets.UTF_8), now), now);
                }
                if (complete == facts) {
                    return System.nanoTime();
                }
            }
            System.out.println("[bench] renames incomplete after " + timeout + ": " + complete + "/" + facts + " facts");
            return -1;
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

        /**
         * From now on an order item fact is complete only when its newest record carries {@code quantity} (after
         * {@link JoinWorkload#timeItemUpdates} updated every order item); the order facts stay as they are.
         */
        void expectQuantity(int quantity) {
            this.quantity = quantity;
            itemDone.clear();
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
            return order ? named(fact, "customer_name") : named(fact, "product_name") && fact.hasNonNull("order_status")
                    && (quantity < 0 || fact.path("quantity").asInt() == quantity);
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

package io.cdcflow.writer.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.config.Env;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SqlTypes;
import io.cdcflow.testsupport.Waiting;
import io.cdcflow.writer.batch.RowEncoder;
import io.cdcflow.writer.batch.TableBatch;
import io.cdcflow.writer.config.WriterConfig;
import io.cdcflow.writer.schema.ServerInfo;
import io.cdcflow.writer.schema.TableSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sink's commit protocol without servers: Kafka's {@link MockConsumer} and {@link MockProducer}, and ClickHouse as
 * a {@link Destination} in memory that can fail a table or refuse a row. What is committed is exactly what landed.
 */
class TopicSinkTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final RowSchema DIM = RowSchema.fact("dim", 1, List.of(new Column("id", SqlTypes.INT4, true),
            new Column("name", SqlTypes.TEXT, false)), List.of("id"));
    private static final TopicPartition ORDERS = new TopicPartition("orders", 0);
    private static final TopicPartition ITEMS = new TopicPartition("items", 0);

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final MockProducer<byte[], byte[]> deadLetters = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final MemoryDestination clickhouse = new MemoryDestination();
    private final Map<TopicPartition, Long> nextOffset = new HashMap<>();
    /** The sink's time in nanoseconds: the real one unless a test moves it by hand. */
    private java.util.function.LongSupplier clock = System::nanoTime;
    /** What the partitions hold when they are assigned: by default nothing another writer could have landed. */
    private Map<TopicPartition, Long> endAtAssignment = Map.of(ORDERS, 0L, ITEMS, 0L);
    private TopicSink sink;
    private Thread loop;

    /** ClickHouse in memory: each table's rows as TabSeparated lines; a table can fail, a line can be refused. */
    static final class MemoryDestination implements Destination {
        private final ServerInfo server = ServerInfo.parse("18.16.1");
        final Map<String, TableSchema> tables = new ConcurrentHashMap<>();
        final Map<String, List<String>> rows = new ConcurrentHashMap<>();
        final Set<String> failing = ConcurrentHashMap.newKeySet();
        /** Tables whose next INSERT lands but whose answer is lost (the connection cut after the server took the data). */
        final Set<String> answerLost = ConcurrentHashMap.newKeySet();
        /** The tables written through insertMissing, each time, with how many rows it left out. */
        final List<String> retried = new CopyOnWriteArrayList<>();
        volatile CountDownLatch held = new CountDownLatch(0);
        final List<String> inserts = new CopyOnWriteArrayList<>();

        @Override
        public String connect() {
            return "memory";
        }

        @Override
        public RowEncoder encoder() {
            return new RowEncoder(server);
        }

        @Override
        public TableSchema table(String table) {
            return tables.get(table);
        }

        @Override
        public TableSchema ensure(String table, RowSchema source) {
            return tables.computeIfAbsent(table, t -> new TableSchema(t, source, server, "UInt64"));
        }

        @Override
        public void insert(String table, List<String> columns, InputStream content) {
            try {
                held.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<String> lines;
            try {
                lines = new String(content.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            inserts.add(table + ":" + lines.size());
            if (failing.contains(table)) {
                throw new ClickHouse.ClickHouseException("memory://", "INSERT INTO " + table, new IOException("Connection refused"));
            }
            if (lines.stream().anyMatch(l -> l.contains("refuse me"))) {
                throw new ClickHouse.ClickHouseException("memory://", "INSERT INTO " + table,
                        new com.clickhouse.client.api.ServerException(27, "Cannot parse input", 500, "q"));
            }
            rows.computeIfAbsent(table, t -> new CopyOnWriteArrayList<>()).addAll(lines);
            if (answerLost.remove(table)) {
                throw new ClickHouse.ClickHouseException("memory://", "INSERT INTO " + table, new IOException("Connection reset"));
            }
        }

        @Override
        public int insertMissing(String table, TableBatch batch, int from, int to) {
            StringBuilder missing = new StringBuilder();
            int left = 0;
            for (int i = from; i < to; i++) {
                String line = new String(batch.line(i), StandardCharsets.UTF_8);
                if (rows(table).contains(line.substring(0, line.length() - 1))) {
                    left++;
                } else {
                    missing.append(line);
                }
            }
            retried.add(table + ":" + left);
            insert(table, batch.columns(), new java.io.ByteArrayInputStream(missing.toString().getBytes(StandardCharsets.UTF_8)));
            return left;
        }

        @Override
        public void deleteBefore(TableSchema schema, String version) {
            throw new UnsupportedOperationException("no mirrors here");
        }

        @Override
        public MirrorRows.ToastLookup toast() {
            return (schema, missing) -> new ArrayList<>(java.util.Collections.nCopies(missing.size(), null));
        }

        @Override
        public String describe() {
            return "memory";
        }

        @Override
        public void close() {
        }

        List<String> rows(String table) {
            return rows.getOrDefault(table, List.of());
        }
    }

    private final Metrics metrics = new Metrics();
    /** The time of the records sent: their source changes' commit time. */
    private long committedAt = System.currentTimeMillis() - 30_000;

    private void start(Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(Map.of("WRITER_TOPICS", "orders,items", "WRITER_HTTP_ADDR", "127.0.0.1:0",
                "WRITER_BATCH_MAX_AGE", "20ms", "WRITER_MAX_BACKOFF", "1s"));
        env.putAll(settings);
        WriterConfig config = WriterConfig.from(new Env(env));
        SchemaLookup schemas = new SchemaLookup() {
            @Override
            public RowSchema get(String id) {
                return id.equals(DIM.id()) ? DIM : null;
            }

            @Override
            public RowSchema latest(String subject) {
                return DIM;
            }

            @Override
            public String topic() {
                return "schemas";
            }

            @Override
            public void close() {
            }
        };
        sink = new TopicSink(config, metrics, clickhouse, consumer, deadLetters, schemas, clock);
        consumer.schedulePollTask(() -> {
            consumer.updateEndOffsets(endAtAssignment);
            consumer.rebalance(List.of(ORDERS, ITEMS));
            consumer.updateBeginningOffsets(Map.of(ORDERS, 0L, ITEMS, 0L));
        });
        loop = new Thread(() -> {
            try {
                sink.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sink-under-test");
        loop.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (sink != null) {
            sink.stop();
            loop.join(10_000);
        }
    }

    /** A row of {@code dim} at the partition's next offset, delivered at the next poll. */
    private void send(TopicPartition partition, int id, String name) {
        long offset = nextOffset.merge(partition, 1L, Long::sum) - 1;
        deliver(partition, offset, id, name);
    }

    /** The record at {@code offset} (again: what Kafka re-delivers after a seek back). */
    private void deliver(TopicPartition partition, long offset, int id, String name) {
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(partition.topic(), partition.partition(), offset,
                committedAt, org.apache.kafka.common.record.TimestampType.CREATE_TIME, -1, -1,
                ("{\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8),
                ("{\"id\":" + id + ",\"name\":\"" + name + "\",\"_version\":" + (offset + 1) + ",\"_deleted\":0}").getBytes(StandardCharsets.UTF_8),
                new org.apache.kafka.common.header.internals.RecordHeaders(), java.util.Optional.empty());
        record.headers().add(RowSchema.HEADER, DIM.id().getBytes(StandardCharsets.US_ASCII));
        consumer.schedulePollTask(() -> consumer.addRecord(record));
    }

    /** Whether the sink polled again, within the wait: it has handled every record its earlier polls returned. */
    private boolean sinkPolledAgain() {
        java.util.concurrent.atomic.AtomicBoolean polled = new java.util.concurrent.atomic.AtomicBoolean();
        consumer.schedulePollTask(() -> polled.set(true));
        return Waiting.until(WAIT, Duration.ofMillis(10), polled::get);
    }

    private long committed(TopicPartition partition) {
        OffsetAndMetadata offset = consumer.committed(Set.of(partition)).get(partition);
        return offset == null ? -1 : offset.offset();
    }

    @Test
    void offsetsAreCommittedOnlyOnceTheirRowsLanded() throws Exception {
        clickhouse.held = new CountDownLatch(1);
        start(Map.of());
        for (int id = 1; id <= 3; id++) {
            send(ORDERS, id, "o" + id);
        }
        assertThat(Waiting.until(WAIT, Duration.ofMillis(10), () -> clickhouse.inserts.isEmpty() && consumer.position(ORDERS) == 3))
                .isTrue();
        Thread.sleep(200); // the INSERT waits: nothing may be committed meanwhile
        assertThat(committed(ORDERS)).isEqualTo(-1);
        clickhouse.held.countDown();
        assertThat(Waiting.until(WAIT, Duration.ofMillis(10), () -> committed(ORDERS) == 3)).isTrue();
        assertThat(clickhouse.rows("orders")).containsExactly("1\to1\t1\t0", "2\to2\t2\t0", "3\to3\t3\t0");
        assertThat(sink.health().ready()).isTrue();
        // the table's lag: its newest row's source change was committed 30 s ago
        String lag = metrics.scrape().lines().filter(l -> l.startsWith("writer_lag_seconds{table=\"orders\"} ")).findFirst().orElseThrow();
        assertThat(Double.parseDouble(lag.substring(lag.lastIndexOf(' ') + 1))).isBetween(29.0, 60.0);
    }

    @Test
    void aTableClickHouseDoesNotTakeHoldsBackOnlyThePartitionsThatCarriedItsRows() {
        clickhouse.failing.add("items");
        start(Map.of());
        send(ORDERS, 1, "o1");
        send(ITEMS, 10, "i10");
        send(ORDERS, 2, "o2");
        assertThat(Waiting.until(WAIT, Duration.ofMillis(10), () -> committed(ORDERS) == 2)).as("orders go on").isTrue();
        assertThat(Waiting.until(WAIT, Duration.ofMillis(10), () -> !sink.health().ready())).isTrue();
        assertThat(sink.health().detail()).contains("items", "Connection refused");
        assertThat(committed(ITEMS)).as("nothing of the failing table is committed").isEqualTo(-1);
        assertThat(metrics.scrape()).containsPattern("writer_insert_failures_total\\{table=\"items\"} [1-9]");
        assertThat(clickhouse.rows("items")).isEmpty();

        send(ORDERS, 3, "o3"); // the held-back partition waits; the others keep landing
        assertThat(Waiting.until(WAIT, Duration.ofMillis(10), () -> committed(ORDERS) == 3)).isTrue();
        clickhouse.failing.clear();
        deliver(ITEMS, 0, 10, "i10"); // read again from the committed offset, after the table's backoff
        assertThat(Waiting.until(WAIT, Duration.ofMillis(10), () -> committed(ITEMS) == 1)).isTrue();
        assertThat(clickhouse.rows("items")).containsExactly("10\ti10\t1\t0");
        assertThat(Waiting.until(WAIT, Duration.ofMillis(10), () -> sink.health().ready())).isTrue();
    }

    @Test
    void anInsertWhoseAnswerWasLostIsWrittenAgainWithoutTheRowsThatLanded() {
        clickhouse.answerLost.add("orders");
        start(Map.of());
        for (int id = 1; id <= 3; id++) {
            send(ORDERS, id, "o" + id);
        }
        send(ITEMS, 10, "i10");
        assertThat(Waiting.until(WAIT, Duration.ofMillis(10), () -> sink.health().detail().contains("Connection reset")))
                .as("the first try landed, its answer lost: %s", sink.health().detail()).isTrue();
        assertThat(clickhouse.rows("orders")).hasSize(3);
        assertThat(committed(ORDERS)).isEqualTo(-1);
        for (int id = 1; id <= 3; id++) {
            deliver(ORDERS, id - 1, id, "o" + id); // read again from the committed offset
        }
        assertThat(Waiting.until(WAIT, Duration.ofMillis(10), () -> committed(ORDERS) == 3)).isTrue();
        assertThat(clickhouse.rows("orders")).as("once each").containsExactly("1\to1\t1\t0", "2\to2\t2\t0", "3\to3\t3\t0");
        assertThat(clickhouse.retried).containsExactly("orders:3");

        send(ORDERS, 4, "o4"); // past what was read before the failure: a plain INSERT again
        assertThat(Waiting.until(WAIT, Duration.ofMillis(10), () -> committed(ORDERS) == 4)).isTrue();
        assertThat(clickhouse.retried).containsExactly("orders:3");
        assertThat(clickhouse.rows("orders")).hasSize(4);
        assertThat(clickhouse.rows("items")).as("the other table was never in doubt").containsExactly("10\ti10\t1\t0");
    }

    @Test
    void partitionsFromAnotherWriterAreComparedWithWhatLandedUpToTheirEndAtAssignment() {
        clickhouse.ensure("orders", DIM);
        clickhouse.rows.put("orders", new CopyOnWriteArrayList<>(List.of("1\to1\t1\t0"))); // landed, never committed
        endAtAssignment = Map.of(ORDERS, 2L, ITEMS, 0L);
        start(Map.of("WRITER_BATCH_MAX_AGE", "1h", "WRITER_BATCH_ROWS", "2"));
        send(ORDERS, 1, "o1");
        send(ORDERS, 2, "o2");
        assertThat(Waiting.until(WAIT, Duration.ofMillis(10), () -> committed(ORDERS) == 2)).isTrue();
        assertThat(clickhouse.rows("orders")).containsExactly("1\to1\t1\t0", "2\to2\t2\t0");
        assertThat(clickhouse.retried).containsExactly("orders:1");
    }

    @Test
    void aBatchGoesUpWhenItsFirstRowIsAsOldAsTheMaximumAgeAndNotBefore() throws Exception {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        clock = now::get;
        start(Map.of("WRITER_BATCH_MAX_AGE", "5s"));
        send(ORDERS, 1, "o1");
        assertThat(Waiting.until(WAIT, Duration.ofMillis(10), () -> consumer.position(ORDERS) == 1)).isTrue();
        // the position moves inside poll, before the sink puts the row in its batch at the clock's time: wait for that
        assertThat(sinkPolledAgain()).isTrue();
        now.addAndGet(Duration.ofSeconds(4).toNanos());
        send(ORDERS, 2, "o2");
        assertThat(Waiting.until(WAIT, Duration.ofMillis(10), () -> consumer.position(ORDERS) == 2)).isTrue();
        assertThat(sinkPolledAgain()).isTrue();
        Thread.sleep(200); // polls go on: the batch is 4 s old by the sink's clock
        assertThat(clickhouse.inserts).isEmpty();
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(Waiting.until(WAIT, Duration.ofMillis(10), () -> committed(ORDERS) == 2)).isTrue();
        assertThat(clickhouse.inserts).containsExactly("orders:2");
    }

    @Test
    void aRowClickHouseRefusesGoesToTheDeadLetterTopicAndTheOthersLand() {
        start(Map.of("WRITER_DEAD_LETTER_TOPIC", "dead"));
        send(ORDERS, 1, "o1");
        send(ORDERS, 2, "refuse me");
        send(ORDERS, 3, "o3");
        assertThat(Waiting.until(WAIT, Duration.ofMillis(10), () -> committed(ORDERS) == 3)).isTrue();
        assertThat(clickhouse.rows("orders")).containsExactlyInAnyOrder("1\to1\t1\t0", "3\to3\t3\t0");
        assertThat(deadLetters.history()).singleElement().satisfies(dead -> {
            assertThat(dead.topic()).isEqualTo("dead");
            assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("2\trefuse me\t2\t0\n");
            assertThat(new String(dead.headers().lastHeader("cdc.source").value(), StandardCharsets.UTF_8)).isEqualTo("orders[0]@1");
            assertThat(new String(dead.headers().lastHeader("cdc.error").value(), StandardCharsets.UTF_8))
                    .contains("ClickHouse refused the row for cdc.orders (code 27)");
        });
    }

    @Test
    void aRecordThatIsNotARowIsDeadLetteredAndItsOffsetCommittedWithTheRest() {
        start(Map.of("WRITER_DEAD_LETTER_TOPIC", "dead"));
        send(ORDERS, 1, "o1");
        ConsumerRecord<byte[], byte[]> bad = new ConsumerRecord<>("orders", 0, 1, "{\"id\":2}".getBytes(StandardCharsets.UTF_8),
                "{not json".getBytes(StandardCharsets.UTF_8));
        bad.headers().add(RowSchema.HEADER, DIM.id().getBytes(StandardCharsets.US_ASCII));
        nextOffset.put(ORDERS, 2L);
        consumer.schedulePollTask(() -> consumer.addRecord(bad));
        send(ORDERS, 3, "o3");
        assertThat(Waiting.until(WAIT, Duration.ofMillis(10), () -> committed(ORDERS) == 3)).isTrue();
        assertThat(clickhouse.rows("orders")).hasSize(2);
        assertThat(deadLetters.history()).singleElement().satisfies(dead ->
                assertThat(new String(dead.headers().lastHeader("cdc.error").value(), StandardCharsets.UTF_8)).startsWith("malformed JSON"));
    }

    @Test
    void partitionsTakenAwayAreWrittenAndCommittedBeforeTheyGo() {
        start(Map.of("WRITER_BATCH_MAX_AGE", "1h")); // nothing goes up by age: only the rebalance sends it
        send(ORDERS, 1, "o1");
        send(ITEMS, 10, "i10");
        assertThat(Waiting.until(WAIT, Duration.ofMillis(10), () -> consumer.position(ITEMS) == 1)).isTrue();
        assertThat(committed(ITEMS)).isEqualTo(-1);
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(ORDERS)));
        assertThat(Waiting.until(WAIT, Duration.ofMillis(10), () -> !consumer.assignment().contains(ITEMS))).isTrue();
        assertThat(clickhouse.rows("items")).as("written before the partition went").containsExactly("10\ti10\t1\t0");
        // MockConsumer shows committed offsets of assigned partitions only: the partition comes back to be looked at
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(ORDERS, ITEMS)));
        assertThat(Waiting.until(WAIT, Duration.ofMillis(10), () -> committed(ITEMS) == 1)).as("and its offset committed").isTrue();
    }
}

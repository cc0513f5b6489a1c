package io.cdcflow.wal.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.kafka.SnapshotBounds;
import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SchemaTopicReader;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.PostgresEndpoint;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.TopicReader;
import io.cdcflow.testsupport.Waiting;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealServices.class)
class WalProducerIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** PostgreSQL's own JSON of a table, for comparison with what a keyed consumer derives from the events. */
    private static String tableJson(PostgresEndpoint db, String table) {
        return db.queryString("SELECT json_agg(t ORDER BY id) FROM \"" + table + "\" t");
    }

    @Test
    void snapshotAndConcurrentWritesArriveWithoutGapOrLoss(PostgresEndpoint server, KafkaEndpoint kafka) throws Exception {
        PostgresEndpoint db = server.createDatabase("wal_snapshot");
        db.execute("CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text)",
                "CREATE TABLE \"order\" (id serial PRIMARY KEY, customer_id int, total numeric(12,2), status text)",
                "INSERT INTO customers (name, email) SELECT 'c' || i, 'c' || i || '@example.com' FROM generate_series(1, 3000) i",
                "INSERT INTO \"order\" (customer_id, total, status) SELECT i % 3000 + 1, i * 1.25, 'new' FROM generate_series(1, 3000) i");
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger writes = new AtomicInteger();
        Thread writer = new Thread(() -> {
            while (writing.get()) {
                int n = writes.incrementAndGet();
                db.execute("INSERT INTO customers (name, email) VALUES ('live" + n + "', NULL)",
                        "UPDATE \"order\" SET status = 'paid', total = total + 0.01 WHERE id = " + (n % 3000 + 1),
                        "DELETE FROM customers WHERE id = " + (n * 7 % 3000 + 1));
            }
        });
        writer.start();
        try (RunningProducer producer = new RunningProducer(db, kafka, Map.of(
                "POSTGRES_CDC_TABLES", "customers,order", "POSTGRES_CDC_SNAPSHOT_BATCH_ROWS", "500",
                "POSTGRES_CDC_SLOT", "snap_slot", "POSTGRES_CDC_PUBLICATION", "snap_pub"))) {
            producer.awaitStreaming();
            Thread.sleep(1500);
            writing.set(false);
            writer.join();
            db.execute("UPDATE customers SET email = 'last@example.com' WHERE id = 2");
            String customersTopic = producer.topic("customers");
            String ordersTopic = producer.topic("order");
            String customers = tableJson(db, "customers");
            String orders = tableJson(db, "order");
            try (TopicReader reader = new TopicReader(kafka, List.of(customersTopic, ordersTopic))) {
                List<ConsumerRecord<byte[], byte[]>> records = reader.readUntil(WAIT, rs ->
                        new ChangeLog(rs, customersTopic).state().equals(ChangeLog.rowsOf(customers, "id"))
                                && new ChangeLog(rs, ordersTopic).state().equals(ChangeLog.rowsOf(orders, "id")));
                ChangeLog customerLog = new ChangeLog(records, customersTopic);
                assertThat(customerLog.state()).isEqualTo(ChangeLog.rowsOf(customers, "id"));
                assertThat(new ChangeLog(records, ordersTopic).state()).isEqualTo(ChangeLog.rowsOf(orders, "id"));
                // each customer inserted while the snapshot ran appears exactly once: in the snapshot or as a streamed insert
                List<String> live = customerLog.events.stream()
                        .filter(e -> e.metadata().operation() == Operation.READ || e.metadata().operation() == Operation.INSERT)
                        .map(e -> e.payload().get("name").asText()).filter(name -> name.startsWith("live")).toList();
                assertThat(live).doesNotHaveDuplicates().hasSize(writes.get());
                // every snapshot row sorts before every streamed change
                long lastRead = customerLog.events.stream().filter(e -> e.metadata().operation() == Operation.READ)
                        .mapToLong(e -> e.metadata().commitLsn().value()).max().orElseThrow();
                assertThat(customerLog.events.stream().filter(e -> e.metadata().operation() != Operation.READ))
                        .allMatch(e -> e.metadata().commitLsn().value() > lastRead);
                // the state topic says where each table's snapshot rows lie: every read below the end, every change after it
                String stateTopic = customersTopic.substring(0, customersTopic.indexOf('.')) + "._wal_producer_state";
                Map<String, SnapshotBounds> bounds = new java.util.HashMap<>();
                try (TopicReader state = new TopicReader(kafka, List.of(stateTopic))) {
                    state.readUntil(WAIT, rs -> {
                        rs.forEach(r -> {
                            SnapshotBounds b = SnapshotBounds.parse(r.key(), r.value());
                            if (b != null) {
                                bounds.put(b.table(), b);
                            }
                        });
                        return bounds.size() == 2 && bounds.values().stream().allMatch(SnapshotBounds::ended);
                    });
                }
                assertThat(bounds.keySet()).containsExactlyInAnyOrder("customers", "order");
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    SnapshotBounds b = bounds.get(r.topic().equals(customersTopic) ? "customers" : "order");
                    assertThat(b.topic()).isEqualTo(r.topic());
                    boolean read = io.cdcflow.common.event.ChangeEventCodec.fromRecord(r.key(), r.value()).metadata().operation() == Operation.READ;
                    assertThat(r.offset() < b.to().get(r.partition())).as("%s at %d", r.topic(), r.offset()).isEqualTo(read);
                    assertThat(r.offset()).isGreaterThanOrEqualTo(b.from().get(r.partition()));
                }
            }
            assertThat(producer.metrics.scrape()).contains("cdc_snapshot_tables_done 2");
        }
    }

    @Test
    void everyTypeMapsToItsDocumentedJsonInTheSnapshotAndTheStream(PostgresEndpoint server, KafkaEndpoint kafka) throws Exception {
        PostgresEndpoint db = server.createDatabase("wal_types");
        db.execute("CREATE TYPE mood AS ENUM ('happy', 'sad')",
                "CREATE TABLE typed (id bigint PRIMARY KEY, i2 smallint, i4 int, num numeric(30,10), r real, d double precision, "
                        + "b boolean, t text, vc varchar(10), c char(4), u uuid, dt date, tm time, ts timestamp, tstz timestamptz, "
                        + "iv interval, j json, jb jsonb, by bytea, arr int[], tarr text[], m mood, n text, esc text)");
        String values = "-2, 42, 12345678901234567890.0123456789, "
                + "'NaN', 'Infinity', true, 'zoë ✓', 'short', 'ab', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2026-11-24', "
                + "'10:15:30.5', '2026-11-24 10:15:30.123456', '2026-11-24 10:15:30.123456+05:30', '1 year 2 months 3 days 04:05:06', "
                + "'{\"a\": 1}', '{\"b\": [1, 2.50]}', '\\xdeadbeef', '{1,NULL,3}', '{\"x y\",z}', 'sad', NULL, "
                + "E'tab\\there\\nline \\\\N \\\\ back')";
        // one row read by the snapshot (COPY), one by the stream (pgoutput): the same JSON either way
        db.execute("SET TIME ZONE 'Asia/Kolkata'", "INSERT INTO typed VALUES (1, " + values);
        try (RunningProducer producer = new RunningProducer(db, kafka, Map.of("POSTGRES_CDC_TABLES", "typed"))) {
            producer.awaitStreaming();
            db.execute("SET TIME ZONE 'Asia/Kolkata'", "INSERT INTO typed VALUES (9007199254740993, " + values);
            List<ChangeEvent> events = events(kafka, producer.topic("typed"), 2);
            assertThat(events).extracting(e -> e.metadata().operation()).containsExactly(Operation.READ, Operation.INSERT);
            String rest = ",\"i2\":-2,\"i4\":42,\"num\":12345678901234567890.0123456789,"
                    + "\"r\":\"NaN\",\"d\":\"Infinity\",\"b\":true,\"t\":\"zoë ✓\",\"vc\":\"short\",\"c\":\"ab  \","
                    + "\"u\":\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\",\"dt\":\"2026-11-24\",\"tm\":\"10:15:30.5\","
                    + "\"ts\":\"2026-11-24T10:15:30.123456\",\"tstz\":\"2026-11-24T04:45:30.123456Z\",\"iv\":\"P1Y2M3DT4H5M6S\","
                    + "\"j\":{\"a\":1},\"jb\":{\"b\":[1,2.50]},\"by\":\"3q2+7w==\",\"arr\":[1,null,3],\"tarr\":[\"x y\",\"z\"],"
                    + "\"m\":\"sad\",\"n\":null,\"esc\":\"tab\\there\\nline \\\\N \\\\ back\"}";
            assertThat(events.get(0).payload().toString()).isEqualTo("{\"id\":1" + rest);
            assertThat(events.get(1).payload().toString()).isEqualTo("{\"id\":9007199254740993" + rest);
        }
    }

    @Test
    void everyTableSchemaIsPublishedBeforeItsRecordsAndFollowsAnAlter(PostgresEndpoint server, KafkaEndpoint kafka) throws Exception {
        PostgresEndpoint db = server.createDatabase("wal_schema");
        db.execute("CREATE TYPE mood AS ENUM ('happy', 'sad')",
                "CREATE DOMAIN positive_amount AS numeric(10,2) CHECK (VALUE > 0)",
                "CREATE TABLE \"Shaped\" (tenant int NOT NULL, id bigint NOT NULL, \"unit price\" numeric(12,2) NOT NULL, "
                        + "code varchar(40), at timestamp(3), tags int[], m mood, amount positive_amount, free numeric, "
                        + "PRIMARY KEY (tenant, id))",
                "INSERT INTO \"Shaped\" VALUES (1, 1, 2.50, 'a', now(), '{1}', 'sad', 1.00, 1)");
        try (RunningProducer producer = new RunningProducer(db, kafka, Map.of("POSTGRES_CDC_TABLES", "Shaped"))) {
            producer.awaitStreaming();
            db.execute("ALTER TABLE \"Shaped\" ADD COLUMN added text NOT NULL DEFAULT 'x'",
                    "INSERT INTO \"Shaped\" (tenant, id, \"unit price\") VALUES (1, 2, 3)");
            String topic = producer.topic("Shaped");
            List<ConsumerRecord<byte[], byte[]>> records;
            try (TopicReader reader = new TopicReader(kafka, List.of(topic))) {
                records = reader.readUntil(WAIT, rs -> rs.size() >= 2);
            }
            String schemaTopic = topic.substring(0, topic.indexOf('.')) + "._schemas";
            try (SchemaTopicReader catalog = new SchemaTopicReader(schemaTopic, Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                // two partitions, no order between them: the snapshot row is the one read, the other the insert
                ConsumerRecord<byte[], byte[]> read = records.stream()
                        .filter(r -> new String(r.value(), java.nio.charset.StandardCharsets.UTF_8).contains("\"operation\":\"read\"")).findFirst().orElseThrow();
                RowSchema first = catalog.get(header(read));
                RowSchema altered = catalog.get(header(records.get(records.get(0) == read ? 1 : 0)));
                assertThat(first).as("the snapshot row's schema").isNotNull();
                assertThat(first.subject()).isEqualTo("public.Shaped");
                assertThat(first.primaryKey()).containsExactly("tenant", "id");
                assertThat(first.columns()).extracting(Column::name)
                        .containsExactly("tenant", "id", "unit price", "code", "at", "tags", "m", "amount", "free");
                assertThat(first.column("unit price").orElseThrow()).satisfies(c -> {
                    assertThat(c.notNull()).isTrue();
                    assertThat(c.type().numericPrecision()).isEqualTo(12);
                    assertThat(c.type().numericScale()).isEqualTo(2);
                });
                assertThat(first.column("code").orElseThrow().type().length()).isEqualTo(40);
                assertThat(first.column("code").orElseThrow().notNull()).isFalse();
                assertThat(first.column("at").orElseThrow().type().secondsPrecision()).isEqualTo(3);
                assertThat(first.column("tags").orElseThrow().type().element().name()).isEqualTo("int4");
                assertThat(first.column("m").orElseThrow().type().labels()).containsExactly("happy", "sad");
                assertThat(first.column("amount").orElseThrow().type().resolved().numericScale()).isEqualTo(2);
                assertThat(first.column("free").orElseThrow().type().numericPrecision()).isNull();
                assertThat(altered.column("added").orElseThrow().notNull()).isTrue();
                assertThat(Long.compareUnsigned(altered.lsn(), first.lsn())).isPositive();
                assertThat(catalog.latest("public.Shaped")).isEqualTo(altered);
            }
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.headers().lastHeader(RowSchema.HEADER).value(), java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static List<ChangeEvent> events(KafkaEndpoint kafka, String topic, int count) {
        try (TopicReader reader = new TopicReader(kafka, List.of(topic))) {
            List<ConsumerRecord<byte[], byte[]>> records = reader.readUntil(WAIT, rs -> rs.size() >= count);
            assertThat(records).hasSize(count);
            return new ChangeLog(records, topic).events;
        }
    }

    @Test
    void toastFullIdentityKeyChangeTruncateAndAlterTable(PostgresEndpoint server, KafkaEndpoint kafka) throws Exception {
        PostgresEndpoint db = server.createDatabase("wal_shapes");
        db.execute("CREATE TABLE docs (id int PRIMARY KEY, title text, body text)",
                "ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL",
                "CREATE TABLE audit (id int PRIMARY KEY, note text)",
                "ALTER TABLE audit REPLICA IDENTITY FULL");
        try (RunningProducer producer = new RunningProducer(db, kafka, Map.of("POSTGRES_CDC_TABLES", "docs,audit"))) {
            producer.awaitStreaming();
            db.execute("INSERT INTO docs VALUES (1, 'draft', repeat('long text ', 5000))",
                    "UPDATE docs SET title = 'final' WHERE id = 1",
                    "UPDATE docs SET id = 2 WHERE id = 1",
                    "INSERT INTO audit VALUES (1, 'created')",
                    "UPDATE audit SET note = 'changed'",
                    "DELETE FROM audit",
                    "ALTER TABLE docs ADD COLUMN tags text[]",
                    "INSERT INTO docs VALUES (3, 'tagged', 'short', '{a,b}')",
                    "ALTER TABLE docs DROP COLUMN title",
                    "INSERT INTO docs VALUES (4, 'no title', NULL)",
                    "TRUNCATE audit");
            String docs = producer.topic("docs");
            String audit = producer.topic("audit");
            try (TopicReader reader = new TopicReader(kafka, List.of(docs, audit))) {
                List<ConsumerRecord<byte[], byte[]>> records = reader.readUntil(WAIT,
                        rs -> new ChangeLog(rs, docs).events.size() >= 6 && new ChangeLog(rs, audit).events.size() >= 4);
                List<ChangeEvent> d = new ChangeLog(records, docs).events;
                assertThat(d).extracting(e -> e.metadata().operation()).containsExactly(
                        Operation.INSERT, Operation.UPDATE, Operation.DELETE, Operation.INSERT, Operation.INSERT, Operation.INSERT);
                assertThat(d.get(1).metadata().unchangedToast()).containsExactly("body");
                assertThat(d.get(1).payload().has("body")).isFalse();
                assertThat(d.get(2).key().toString()).isEqualTo("{\"id\":1}");
                assertThat(d.get(3).key().toString()).isEqualTo("{\"id\":2}");
                assertThat(d.get(4).payload().get("tags").toString()).isEqualTo("[\"a\",\"b\"]");
                assertThat(d.get(5).payload().has("title")).isFalse();
                assertThat(d.get(5).payload().get("body").asText()).isEqualTo("no title");
                // the long body, never resent, carries over from the old key to the new one
                assertThat(d.get(3).metadata().unchangedToast()).containsExactly("body");
                assertThat(new ChangeLog(records, docs).state().get("{\"id\":2}").get("body").asText()).hasSize(50_000);

                List<ChangeEvent> a = new ChangeLog(records, audit).events;
                assertThat(a).extracting(e -> e.metadata().operation()).containsExactly(
                        Operation.INSERT, Operation.UPDATE, Operation.DELETE, Operation.TRUNCATE);
                assertThat(a.get(1).before().toString()).isEqualTo("{\"id\":1,\"note\":\"created\"}");
                assertThat(a.get(2).payload().toString()).isEqualTo("{\"id\":1,\"note\":\"changed\"}");
            }
        }
    }

    @Test
    void replicationOriginAndLogicalMessagesAreDecoded(PostgresEndpoint server, KafkaEndpoint kafka) throws Exception {
        PostgresEndpoint db = server.createDatabase("wal_origin");
        db.execute("CREATE TABLE replicated (id int PRIMARY KEY, v text)");
        try (RunningProducer producer = new RunningProducer(db, kafka, Map.of("POSTGRES_CDC_TABLES", "replicated"))) {
            producer.awaitStreaming();
            // as a replication apply worker would: a session with an origin, so pgoutput sends an Origin message
            db.execute("SELECT pg_replication_origin_create('node_a')",
                    "SELECT pg_replication_origin_session_setup('node_a')",
                    "INSERT INTO replicated VALUES (1, 'from node a')",
                    "SELECT pg_replication_origin_session_reset()",
                    "SELECT pg_logical_emit_message(true, 'app', 'hello')",
                    "INSERT INTO replicated VALUES (2, 'local')");
            ChangeEvent fromNodeA;
            ChangeEvent local;
            try (TopicReader reader = new TopicReader(kafka, List.of(producer.topic("replicated")))) {
                List<ConsumerRecord<byte[], byte[]>> records = reader.readUntil(WAIT, rs -> rs.size() >= 2);
                List<ChangeEvent> events = new ChangeLog(records, producer.topic("replicated")).events;
                fromNodeA = events.get(0);
                local = events.get(1);
            }
            assertThat(fromNodeA.metadata().origin()).isEqualTo("node_a");
            assertThat(local.metadata().origin()).isNull();
            assertThat(Waiting.until(WAIT, Duration.ofMillis(100), () -> producer.metrics.scrape()
                    .contains("cdc_pgoutput_messages_total{type=\"Origin\"} 1"))).isTrue();
            assertThat(producer.metrics.scrape()).contains("cdc_pgoutput_messages_total{type=\"LogicalMessage\"}");
        }
    }

    @Test
    void slotAdvancesWhilePublishedTablesAreIdle(PostgresEndpoint server, KafkaEndpoint kafka) throws Exception {
        PostgresEndpoint db = server.createDatabase("wal_idle");
        db.execute("CREATE TABLE published (id int PRIMARY KEY)", "CREATE TABLE busy (id serial PRIMARY KEY, v text)");
        try (RunningProducer producer = new RunningProducer(db, kafka, Map.of("POSTGRES_CDC_TABLES", "published",
                "POSTGRES_CDC_HEARTBEAT_INTERVAL", "500ms"))) {
            producer.awaitStreaming();
            String before = db.queryString("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + producer.config.slot() + "'");
            for (int i = 0; i < 20; i++) {
                db.execute("INSERT INTO busy (v) SELECT repeat('x', 100) FROM generate_series(1, 500)");
            }
            String written = db.queryString("SELECT pg_current_wal_lsn()::text");
            boolean advanced = Waiting.until(WAIT, Duration.ofMillis(200), () -> "t".equals(db.queryString(
                    "SELECT confirmed_flush_lsn >= '" + written + "'::pg_lsn FROM pg_replication_slots WHERE slot_name = '" + producer.config.slot() + "'")));
            assertThat(advanced).as("slot moved from %s past %s", before, written).isTrue();
        }
    }
}

package io.cdcflow.wal.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.Operation;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.PostgresEndpoint;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.TopicReader;
import io.cdcflow.testsupport.Waiting;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A slot the wal-producer finds is the user's promise that nothing since its creation is lost: it is kept and
 * streamed, never dropped; and no second producer touches a slot while the first holds it, snapshot included.
 */
@ExtendWith(RealServices.class)
class SlotAdoptionIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aSlotCreatedBeforehandIsKeptAndEveryChangeSinceItsCreationArrives(PostgresEndpoint server, KafkaEndpoint kafka) throws Exception {
        PostgresEndpoint db = server.createDatabase("wal_adopt");
        db.execute("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)",
                "INSERT INTO items SELECT g, 'old ' || g FROM generate_series(1, 20) g",
                // as the seed's cdc-setup does: publication and slot first, the connector later
                "CREATE PUBLICATION adopt_pub FOR TABLE items",
                "SELECT pg_create_logical_replication_slot('adopt_slot', 'pgoutput')");
        String slotLsn = db.queryString("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = 'adopt_slot'");
        // changed after the slot was created, before any producer ran: only the slot still knows these happened
        db.execute("UPDATE items SET name = 'renamed' WHERE id = 3", "DELETE FROM items WHERE id = 4",
                "INSERT INTO items VALUES (21, 'new')");
        try (RunningProducer producer = new RunningProducer(db, kafka, Map.of("POSTGRES_CDC_TABLES", "items",
                "POSTGRES_CDC_SLOT", "adopt_slot", "POSTGRES_CDC_PUBLICATION", "adopt_pub"), true);
             TopicReader reader = new TopicReader(kafka, List.of(producer.topic("items")))) {
            producer.awaitStreaming();
            assertThat(db.queryString("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'adopt_slot' AND restart_lsn <= '"
                    + slotLsn + "'")).as("the slot is the one created beforehand").isEqualTo("1");
            db.execute("UPDATE items SET name = 'after' WHERE id = 5");
            ChangeLog log = new ChangeLog(reader.readUntil(WAIT, rs -> new ChangeLog(rs, producer.topic("items"))
                    .events.stream().anyMatch(e -> e.payload().path("name").asText().equals("after"))), producer.topic("items"));
            List<ChangeEvent> events = log.events;
            assertThat(log.count(Operation.DELETE)).as("the delete made before the producer started is streamed from the slot").isEqualTo(1);
            assertThat(events).filteredOn(e -> e.metadata().operation() == Operation.READ)
                    .allSatisfy(e -> assertThat(e.metadata().commitLsn().toString()).isEqualTo(slotLsn));
            assertThat(events).filteredOn(e -> e.metadata().operation() != Operation.READ)
                    .allSatisfy(e -> assertThat(e.metadata().commitLsn().value()).isGreaterThan(
                            io.cdcflow.common.event.Lsn.parse(slotLsn).value()));
            assertThat(log.state()).isEqualTo(ChangeLog.rowsOf(db.queryString("SELECT json_agg(i ORDER BY id) FROM items i"), "id"));
        }
    }

    @Test
    void aProducerThatFindsTheSlotLockedWaitsAndLeavesTheSlotAlone(PostgresEndpoint server, KafkaEndpoint kafka) throws Exception {
        PostgresEndpoint db = server.createDatabase("wal_locked");
        db.execute("CREATE TABLE items (id int PRIMARY KEY)", "INSERT INTO items SELECT generate_series(1, 30)",
                "CREATE PUBLICATION locked_pub FOR TABLE items",
                "SELECT pg_create_logical_replication_slot('locked_slot', 'pgoutput')");
        // another wal-producer mid-snapshot: it holds the slot's lock while the slot itself is not active
        try (Connection other = db.connect()) {
            try (PreparedStatement s = other.prepareStatement("SELECT pg_advisory_lock(hashtext('cdcflow wal-producer'), hashtext('locked_slot'))")) {
                s.execute();
            }
            try (RunningProducer standby = new RunningProducer(db, kafka, Map.of("POSTGRES_CDC_TABLES", "items",
                    "POSTGRES_CDC_SLOT", "locked_slot", "POSTGRES_CDC_PUBLICATION", "locked_pub"), true)) {
                assertThat(Waiting.until(WAIT, Duration.ofMillis(100), () -> standby.producer.health().detail()
                        .startsWith("standby: another wal-producer holds the lock of replication slot locked_slot"))).isTrue();
                Thread.sleep(1500);
                assertThat(db.queryString("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'locked_slot'")).isEqualTo("1");
                other.close(); // the other producer died: its lock goes with its connection
                standby.awaitStreaming();
                try (TopicReader reader = new TopicReader(kafka, List.of(standby.topic("items")))) {
                    var records = reader.readUntil(WAIT, rs -> rs.size() >= 30);
                    assertThat(new ChangeLog(records, standby.topic("items")).state()).hasSize(30);
                }
            }
        }
    }

    @Test
    void aTableAddedToTheCaptureLaterGetsItsExistingRowsAndNoOtherTableIsSnapshottedAgain(PostgresEndpoint server, KafkaEndpoint kafka)
            throws Exception {
        PostgresEndpoint db = server.createDatabase("wal_added");
        db.execute("CREATE TABLE first (id int PRIMARY KEY)", "INSERT INTO first SELECT generate_series(1, 10)");
        Map<String, String> settings = Map.of("POSTGRES_CDC_SLOT", "added_slot", "POSTGRES_CDC_PUBLICATION", "added_pub",
                "POSTGRES_CDC_TOPIC_PREFIX", "added");
        Map<String, String> one = new java.util.HashMap<>(settings);
        one.put("POSTGRES_CDC_TABLES", "first");
        try (RunningProducer producer = new RunningProducer(db, kafka, one, true)) {
            producer.awaitStreaming();
        }
        db.execute("CREATE TABLE second (id int PRIMARY KEY, name text)", "INSERT INTO second SELECT g, 'row ' || g FROM generate_series(1, 25) g",
                "INSERT INTO first VALUES (11)");
        Map<String, String> both = new java.util.HashMap<>(settings);
        both.put("POSTGRES_CDC_TABLES", "first,second");
        try (RunningProducer producer = new RunningProducer(db, kafka, both, true);
             TopicReader reader = new TopicReader(kafka, List.of(producer.topic("first"), producer.topic("second")))) {
            producer.awaitStreaming();
            db.execute("UPDATE second SET name = 'changed' WHERE id = 7");
            // the new table is snapshotted beside the stream: its rows and the update arrive in either order
            var records = reader.readUntil(WAIT, rs -> new ChangeLog(rs, producer.topic("second")).events.stream()
                    .anyMatch(e -> e.payload().path("name").asText().equals("changed"))
                    && new ChangeLog(rs, producer.topic("second")).count(Operation.READ) >= 25);
            ChangeLog second = new ChangeLog(records, producer.topic("second"));
            assertThat(second.count(Operation.READ)).isEqualTo(25);
            assertThat(second.state()).isEqualTo(ChangeLog.rowsOf(db.queryString("SELECT json_agg(s ORDER BY id) FROM second s"), "id"));
            ChangeLog first = new ChangeLog(records, producer.topic("first"));
            assertThat(first.count(Operation.READ)).as("the first table's snapshot is not repeated").isEqualTo(10);
            assertThat(first.state()).hasSize(11);
        }
    }

    @Test
    void anOperatorCanAskForANewSnapshotOfOneTableWhileStreamingGoesOn(PostgresEndpoint server, KafkaEndpoint kafka) throws Exception {
        PostgresEndpoint db = server.createDatabase("wal_resnapshot");
        db.execute("CREATE TABLE items (id int PRIMARY KEY)", "INSERT INTO items SELECT generate_series(1, 10)",
                "CREATE TABLE other (id int PRIMARY KEY)");
        try (RunningProducer producer = new RunningProducer(db, kafka, Map.of("POSTGRES_CDC_TABLES", "items,other"), true);
             TopicReader reader = new TopicReader(kafka, List.of(producer.topic("items"), producer.topic("other")))) {
            producer.awaitStreaming();
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> producer.producer.requestSnapshot("nope")))
                    .hasMessageContaining("table public.nope is not captured");
            assertThat(producer.producer.requestSnapshot("items")).contains("snapshot of public.items requested");
            assertThat(producer.producer.health().ready()).as("the stream does not stop for the snapshot").isTrue();
            db.execute("INSERT INTO other VALUES (1)", "INSERT INTO items VALUES (11)");
            var records = reader.readUntil(WAIT, rs -> new ChangeLog(rs, producer.topic("items")).count(Operation.READ) >= 20
                    && new ChangeLog(rs, producer.topic("items")).count(Operation.INSERT) >= 1
                    && new ChangeLog(rs, producer.topic("other")).count(Operation.INSERT) >= 1);
            ChangeLog log = new ChangeLog(records, producer.topic("items"));
            assertThat(log.count(Operation.READ)).as("the table read twice (row 11 in the second read when it was inserted first)")
                    .isBetween(20L, 21L);
            assertThat(log.state()).hasSize(11);
            assertThat(producer.producer.health().ready()).isTrue();
        }
    }

    @Test
    void aTableCreatedUnderStarWhileStreamingIsCapturedAndSnapshottedWhileItChanges(PostgresEndpoint server, KafkaEndpoint kafka)
            throws Exception {
        PostgresEndpoint db = server.createDatabase("wal_star_new");
        db.execute("CREATE TABLE first (id int PRIMARY KEY, n int NOT NULL)", "INSERT INTO first SELECT g, 0 FROM generate_series(1, 10) g");
        try (RunningProducer producer = new RunningProducer(db, kafka, Map.of("POSTGRES_CDC_TABLES", "*", "POSTGRES_CDC_TABLES_REFRESH", "300ms"), true);
             TopicReader reader = new TopicReader(kafka, List.of(producer.topic("first"), producer.topic("second")))) {
            producer.awaitStreaming();
            db.execute("CREATE TABLE second (id int PRIMARY KEY, n int NOT NULL)",
                    "INSERT INTO second SELECT g, 0 FROM generate_series(1, 2000) g",
                    "CREATE TABLE loose (note text)", "INSERT INTO loose VALUES ('no key')");
            // changes to both tables before, while and after the new one joins the capture and is snapshotted
            java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread writer = new Thread(() -> {
                for (int round = 1; writing.get(); round++) {
                    db.execute("UPDATE second SET n = " + round + " WHERE id % 50 = " + (round % 50),
                            "DELETE FROM second WHERE id = " + (2000 - round), "UPDATE first SET n = " + round + " WHERE id = " + (round % 10 + 1));
                }
            }, "writes");
            writer.start();
            assertThat(Waiting.until(WAIT, Duration.ofMillis(100), () -> producer.metrics.scrape()
                    .contains("cdc_snapshot_rows_total{table=\"public.second\"}"))).as("the new table is snapshotted").isTrue();
            Thread.sleep(1000);
            writing.set(false);
            writer.join();
            db.execute("UPDATE loose SET note = 'still updatable'", "INSERT INTO first VALUES (99, 99)");
            var records = reader.readUntil(WAIT, rs -> new ChangeLog(rs, producer.topic("first")).state().containsKey("{\"id\":99}")
                    && new ChangeLog(rs, producer.topic("second")).state()
                    .equals(ChangeLog.rowsOf(db.queryString("SELECT json_agg(s ORDER BY id) FROM second s"), "id")));
            assertThat(new ChangeLog(records, producer.topic("second")).state())
                    .isEqualTo(ChangeLog.rowsOf(db.queryString("SELECT json_agg(s ORDER BY id) FROM second s"), "id"));
            assertThat(new ChangeLog(records, producer.topic("first")).state())
                    .isEqualTo(ChangeLog.rowsOf(db.queryString("SELECT json_agg(f ORDER BY id) FROM first f"), "id"));
            assertThat(producer.producer.health().ready()).isTrue();
            assertThat(db.queryString("SELECT count(*) FROM pg_publication_tables WHERE tablename = 'loose'"))
                    .as("a table without a key stays out of the publication").isEqualTo("0");
        }
    }

    @Test
    void aSnapshotAfterTheSlotWasDroppedDeletesTheRowsGoneMeanwhile(PostgresEndpoint server, KafkaEndpoint kafka) throws Exception {
        PostgresEndpoint db = server.createDatabase("wal_gone");
        db.execute("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)",
                "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 30) g",
                "CREATE TABLE tags (id int PRIMARY KEY)", "INSERT INTO tags SELECT generate_series(1, 30)");
        String topic = "gone_" + java.util.UUID.randomUUID().toString().substring(0, 8);
        // one topic for both tables: the deletes must follow the table, not the key, which both tables share
        Map<String, String> settings = Map.of("POSTGRES_CDC_TABLES", "items,tags", "POSTGRES_CDC_SLOT", "gone_slot",
                "POSTGRES_CDC_TOPIC", topic);
        try (RunningProducer producer = new RunningProducer(db, kafka, settings, true);
             TopicReader reader = new TopicReader(kafka, List.of(topic))) {
            producer.awaitStreaming();
            db.execute("DELETE FROM items WHERE id = 30", "INSERT INTO items VALUES (40, 'streamed')");
            reader.readUntil(WAIT, rs -> rs.size() >= 62);
        }
        // while nothing streams: rows vanish, and the slot that knew it is dropped (as after a lost slot)
        db.execute("DELETE FROM items WHERE id BETWEEN 5 AND 9 OR id = 40", "UPDATE items SET name = 'changed' WHERE id = 1",
                "INSERT INTO items VALUES (31, 'new')", "SELECT pg_drop_replication_slot('gone_slot')");
        try (RunningProducer producer = new RunningProducer(db, kafka, settings, true);
             TopicReader reader = new TopicReader(kafka, List.of(topic))) {
            producer.awaitStreaming();
            db.execute("UPDATE items SET name = 'after' WHERE id = 2");
            var records = reader.readUntil(WAIT, rs -> new ChangeLog(rs, topic, "items").events.stream()
                    .anyMatch(e -> e.payload().path("name").asText().equals("after")));
            ChangeLog items = new ChangeLog(records, topic, "items");
            assertThat(items.state()).as("the rows deleted while the slot was gone are deleted in the topic too")
                    .isEqualTo(ChangeLog.rowsOf(db.queryString("SELECT json_agg(i ORDER BY id) FROM items i"), "id"));
            assertThat(items.count(Operation.DELETE)).as("one delete streamed, six published by the second snapshot").isEqualTo(7);
            ChangeLog tags = new ChangeLog(records, topic, "tags");
            assertThat(tags.count(Operation.DELETE)).as("the other table in the topic keeps every row").isZero();
            assertThat(tags.state()).hasSize(30);
            assertThat(producer.metrics.scrape()).contains("cdc_snapshot_vanished_total{table=\"public.items\"} 6");
        }
    }
}

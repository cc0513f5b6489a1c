package io.cdcflow.wal.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.Operation;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.PostgresEndpoint;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.TopicReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What {@code POSTGRES_CDC_TABLES} publishes: never a table whose updates PostgreSQL would then refuse. */
@ExtendWith(RealServices.class)
class PublishedTablesIT {
    @Test
    void starLeavesOutKeylessTablesAndCapturesPartitionsThroughTheirRoot(PostgresEndpoint server, KafkaEndpoint kafka) throws Exception {
        PostgresEndpoint db = server.createDatabase("wal_star");
        db.execute("CREATE TABLE accounts (id int PRIMARY KEY, name text)",
                "CREATE TABLE audit_log (message text)", // no key, no replica identity
                "CREATE TABLE events (id int, day date, what text, PRIMARY KEY (id, day)) PARTITION BY RANGE (day)",
                "CREATE TABLE events_2026_01 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2026-02-01')",
                "CREATE TABLE events_2026_02 PARTITION OF events FOR VALUES FROM ('2026-02-01') TO ('2026-03-01')",
                "INSERT INTO accounts VALUES (1, 'a')", "INSERT INTO audit_log VALUES ('before')",
                "INSERT INTO events VALUES (1, '2026-01-05', 'jan'), (2, '2026-02-05', 'feb')");
        try (RunningProducer producer = new RunningProducer(db, kafka, Map.of("POSTGRES_CDC_TABLES", "*"));
             TopicReader reader = new TopicReader(kafka, List.of(producer.topic("events")))) {
            producer.awaitStreaming();
            assertThat(db.queryString("SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_publication_tables"))
                    .isEqualTo("accounts,events");
            // the source database keeps working: an UPDATE of the keyless table is not refused
            db.execute("UPDATE audit_log SET message = 'after'", "INSERT INTO events VALUES (3, '2026-02-09', 'streamed')",
                    "UPDATE events SET what = 'moved' WHERE id = 1");
            List<ChangeEvent> events = new ChangeLog(reader.readUntil(Duration.ofSeconds(60), rs -> rs.size() >= 4),
                    producer.topic("events")).events;
            assertThat(events).extracting(e -> e.metadata().table()).containsOnly("events");
            assertThat(events).extracting(e -> e.metadata().operation())
                    .containsExactly(Operation.READ, Operation.READ, Operation.INSERT, Operation.UPDATE);
        }
    }

    @Test
    void aListedTableWithoutKeyIsRefusedNamingTheFix(PostgresEndpoint server, KafkaEndpoint kafka) throws Exception {
        PostgresEndpoint db = server.createDatabase("wal_keyless");
        db.execute("CREATE TABLE audit_log (message text)");
        RunningProducer producer = new RunningProducer(db, kafka, Map.of("POSTGRES_CDC_TABLES", "audit_log"));
        try {
            assertThatThrownBy(producer::awaitStreaming).hasMessageContaining("audit_log")
                    .hasMessageContaining("no primary key or replica identity").hasMessageContaining("REPLICA IDENTITY FULL");
            assertThat(db.queryString("SELECT count(*) FROM pg_publication_tables")).isEqualTo("0");
        } finally {
            producer.close();
        }
    }

    @Test
    void walWrittenBeforeATableWasDroppedOrRenamedStillReplays(PostgresEndpoint server, KafkaEndpoint kafka) throws Exception {
        PostgresEndpoint db = server.createDatabase("wal_dropped");
        db.execute("CREATE TABLE kept (id int PRIMARY KEY)", "CREATE TABLE gone (id int PRIMARY KEY, note text)");
        Map<String, String> settings = Map.of("POSTGRES_CDC_TABLES", "*", "POSTGRES_CDC_SLOT", "dropped_slot",
                "POSTGRES_CDC_PUBLICATION", "dropped_pub", "POSTGRES_CDC_TOPIC_PREFIX", "dropped");
        String gone;
        try (RunningProducer producer = new RunningProducer(db, kafka, settings, true)) {
            producer.awaitStreaming();
            gone = producer.topic("gone");
        }
        // while no producer runs: changes, then the tables are renamed and dropped; the slot still holds the changes
        db.execute("INSERT INTO kept VALUES (1)", "INSERT INTO gone VALUES (1, 'last words')",
                "ALTER TABLE kept RENAME TO kept_renamed", "DROP TABLE gone", "CREATE TABLE other (id int PRIMARY KEY)");
        try (RunningProducer producer = new RunningProducer(db, kafka, settings, true);
             TopicReader reader = new TopicReader(kafka, List.of(gone))) {
            producer.awaitStreaming();
            List<ChangeEvent> events = new ChangeLog(reader.readUntil(Duration.ofSeconds(60), rs -> !rs.isEmpty()), gone).events;
            assertThat(events).singleElement().satisfies(e -> {
                assertThat(e.metadata().operation()).isEqualTo(Operation.INSERT);
                assertThat(e.key().toString()).isEqualTo("{\"id\":1}");
                assertThat(e.payload().get("note").asText()).isEqualTo("last words");
            });
        }
    }
}

package io.cdcflow.wal.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.LocalPostgres;
import io.cdcflow.testsupport.PostgresEndpoint;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.Services;
import io.cdcflow.testsupport.TopicReader;
import io.cdcflow.testsupport.Waiting;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealServices.class)
class WalProducerFaultsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static long rowsIn(KafkaEndpoint kafka, String topic, int expected) {
        try (TopicReader reader = new TopicReader(kafka, List.of(topic))) {
            List<ConsumerRecord<byte[], byte[]>> records = reader.readUntil(WAIT,
                    rs -> new ChangeLog(rs, topic).state().size() >= expected);
            return new ChangeLog(records, topic).state().size();
        }
    }

    @Test
    void anOversizedEventGoesToTheDeadLetterTopicAndTheStreamGoesOn(PostgresEndpoint server, KafkaEndpoint kafka) throws Exception {
        PostgresEndpoint db = server.createDatabase("wal_oversize");
        db.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)",
                // read by the snapshot: over twice the limit, so the value is skipped undecoded there too
                "INSERT INTO notes SELECT 5, string_agg(md5(i::text), '') FROM generate_series(1, 2000) i");
        try (RunningProducer producer = new RunningProducer(db, kafka, Map.of("POSTGRES_CDC_TABLES", "notes",
                "POSTGRES_CDC_OVERSIZE", "dead_letter", "KAFKA_MAX_REQUEST_SIZE", "20000"))) {
            producer.awaitStreaming();
            db.execute("INSERT INTO notes VALUES (1, 'small')",
                    // 64,000 bytes: over twice the limit, so the value is skipped unread
                    "INSERT INTO notes SELECT 2, string_agg(md5(i::text), '') FROM generate_series(1, 2000) i",
                    // 25,600 bytes: read, and refused once its event is over the limit
                    "INSERT INTO notes SELECT 4, string_agg(md5(i::text), '') FROM generate_series(1, 800) i",
                    "INSERT INTO notes VALUES (3, 'small again')");
            assertThat(rowsIn(kafka, producer.topic("notes"), 2)).isEqualTo(2);
            try (TopicReader reader = new TopicReader(kafka, List.of(producer.config.deadLetterTopic()))) {
                List<ConsumerRecord<byte[], byte[]>> dead = reader.readUntil(WAIT, rs -> rs.size() >= 3);
                assertThat(dead).hasSize(3);
                assertThat(dead).extracting(r -> new String(r.headers().lastHeader("cdc.error").value(), StandardCharsets.UTF_8))
                        .anySatisfy(e -> assertThat(e).contains("table public.notes", "key {\"id\":2}", "KAFKA_MAX_REQUEST_SIZE",
                                "body (64000 bytes)", "not read"))
                        .anySatisfy(e -> assertThat(e).contains("table public.notes", "key {\"id\":4}", "KAFKA_MAX_REQUEST_SIZE"))
                        .anySatisfy(e -> assertThat(e).contains("key {\"id\":5}", "body (64000 bytes)", "not read"));
            }
        }
    }

    @Test
    void anOversizedEventStopsProgressWithAClearErrorUnderTheFailPolicy(PostgresEndpoint server, KafkaEndpoint kafka) throws Exception {
        PostgresEndpoint db = server.createDatabase("wal_oversize_fail");
        db.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)");
        try (RunningProducer producer = new RunningProducer(db, kafka, Map.of("POSTGRES_CDC_TABLES", "notes",
                "KAFKA_MAX_REQUEST_SIZE", "20000"))) {
            producer.awaitStreaming();
            db.execute("INSERT INTO notes SELECT 7, string_agg(md5(i::text), '') FROM generate_series(1, 2000) i");
            assertThat(Waiting.until(WAIT, Duration.ofMillis(100), () -> producer.failure.get() != null)).isTrue();
            assertThat(producer.failure.get()).hasMessageContaining("table public.notes key {\"id\":7}")
                    .hasMessageContaining("POSTGRES_CDC_OVERSIZE=dead_letter");
        }
    }

    @Test
    void aLostSlotStopsTheProducerWithOneErrorNamingTheSlotAndTheWayBack(KafkaEndpoint kafka) throws Exception {
        // its own server: the WAL limit that makes the slot lost applies to every slot of a server
        try (LocalPostgres server = LocalPostgres.start()) {
            PostgresEndpoint db = server.endpoint();
            db.execute("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'", "SELECT pg_reload_conf()",
                    "CREATE TABLE items (id int PRIMARY KEY, pad text)", "INSERT INTO items VALUES (0, 'first')");
            Map<String, String> settings = Map.of("POSTGRES_CDC_TABLES", "items", "POSTGRES_CDC_SLOT", "lost_slot");
            try (RunningProducer producer = new RunningProducer(db, kafka, settings, true)) {
                producer.awaitStreaming();
            }
            // while the producer is stopped, PostgreSQL writes more WAL than the slot may hold back, and checkpoints
            for (int round = 1; round <= 5; round++) {
                db.execute("INSERT INTO items SELECT g, repeat('x', 2000) FROM generate_series(" + round * 10_000 + ", " + (round * 10_000 + 999) + ") g",
                        "SELECT pg_switch_wal()");
            }
            db.execute("CHECKPOINT");
            assertThat(db.queryString("SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'lost_slot'")).isEqualTo("lost");
            try (RunningProducer producer = new RunningProducer(db, kafka, settings, true)) {
                assertThat(Waiting.until(Duration.ofSeconds(60), Duration.ofMillis(100), () -> producer.failure.get() != null))
                        .as("the producer stops rather than retrying forever").isTrue();
                assertThat(producer.failure.get()).hasMessageContaining("replication slot lost_slot is lost")
                        .hasMessageContaining("changes since its position are gone").hasMessageContaining("pg_drop_replication_slot('lost_slot')");
                assertThat(db.queryString("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'lost_slot'"))
                        .as("the slot is left for the operator to see and drop").isEqualTo("1");
            }
        }
    }

    @Test
    void aPostgresRestartIsSurvivedWithoutLoss(PostgresEndpoint server, KafkaEndpoint kafka) throws Exception {
        LocalPostgres local = Services.localPostgres().orElse(null);
        Assumptions.assumeTrue(local != null, "needs the PostgreSQL server this harness started, to restart it");
        PostgresEndpoint db = server.createDatabase("wal_pg_restart");
        db.execute("CREATE TABLE items (id int PRIMARY KEY)");
        try (RunningProducer producer = new RunningProducer(db, kafka, Map.of("POSTGRES_CDC_TABLES", "items"), true)) {
            producer.awaitStreaming();
            db.execute("INSERT INTO items SELECT generate_series(1, 100)");
            local.restart();
            db.execute("INSERT INTO items SELECT generate_series(101, 200)");
            assertThat(rowsIn(kafka, producer.topic("items"), 200)).isEqualTo(200);
            producer.awaitStreaming();
        }
    }

    @Test
    void aStandbyWithTheSameSlotTakesOverWhenTheActiveProducerStops(PostgresEndpoint server, KafkaEndpoint kafka) throws Exception {
        PostgresEndpoint db = server.createDatabase("wal_standby");
        db.execute("CREATE TABLE items (id int PRIMARY KEY)");
        Map<String, String> shared = Map.of("POSTGRES_CDC_TABLES", "items", "POSTGRES_CDC_SLOT", "standby_slot",
                "POSTGRES_CDC_TOPIC_PREFIX", "standby");
        RunningProducer active = new RunningProducer(db, kafka, shared, true);
        active.awaitStreaming();
        try (RunningProducer standby = new RunningProducer(db, kafka, shared, true)) {
            assertThat(Waiting.until(WAIT, Duration.ofMillis(100),
                    () -> standby.producer.health().detail().startsWith("standby"))).isTrue();
            db.execute("INSERT INTO items SELECT generate_series(1, 50)");
            assertThat(rowsIn(kafka, active.topic("items"), 50)).isEqualTo(50);
            active.close();
            long stoppedAt = System.nanoTime();
            standby.awaitStreaming();
            assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt)).isLessThan(Duration.ofSeconds(15));
            db.execute("INSERT INTO items SELECT generate_series(51, 100)");
            assertThat(rowsIn(kafka, active.topic("items"), 100)).isEqualTo(100);
        }
    }
}

package io.cdcflow.writer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.cdcflow.common.config.Env;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.LocalClickHouse;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.TestSchemas;
import io.cdcflow.testsupport.Waiting;
import io.cdcflow.writer.config.WriterConfig;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** ClickHouse over HTTPS: the writer trusts the server through CLICKHOUSE_CA_FILE, and no server it cannot verify. */
@ExtendWith(RealServices.class)
class ClickHouseTlsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void theWriterReachesClickHouseOverHttpsThroughTheCaFileAndRefusesAServerItCannotVerify(KafkaEndpoint kafka) throws Exception {
        String topic = "order_fact_" + run;
        String schemaTopic = "schemas_" + run;
        kafka.createTopics(1, topic);
        String schema = TestSchemas.publish(kafka, schemaTopic, TestSchemas.ORDER_FACT);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            producer.send(TestSchemas.record(topic, schema, "{\"order_id\":1}", "{\"order_id\":1,\"customer_id\":7,\"customer_name\":\"Zoë\","
                    + "\"customer_email\":null,\"total\":12.50,\"status\":\"new\",\"created_at\":\"2026-11-24T10:00:00Z\",\"_version\":1,\"_deleted\":0}")).get();
        }
        try (LocalClickHouse server = LocalClickHouse.startWithTls()) {
            Map<String, String> https = Map.of("CLICKHOUSE_URL", server.httpsUrl(), "WRITER_TOPICS", topic, "WRITER_SCHEMA_TOPIC", schemaTopic,
                    "WRITER_DEAD_LETTER_TOPIC", "dead_" + run);
            Map<String, String> unverified = new java.util.HashMap<>(https);
            unverified.putAll(Map.of("CLICKHOUSE_DATABASE", "untrusted_" + run, "WRITER_GROUP_ID", "untrusted-" + run));
            try (RunningWriter untrusted = new RunningWriter(server.endpoint(), kafka, unverified)) {
                assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> untrusted.sink.health().detail().contains("cannot reach ClickHouse")))
                        .as("a self-signed certificate no CA file vouches for: %s", untrusted.sink.health().detail()).isTrue();
                assertThat(untrusted.sink.health().ready()).isFalse();
            }
            Map<String, String> trusted = new java.util.HashMap<>(https);
            trusted.putAll(Map.of("CLICKHOUSE_CA_FILE", server.certificate().toString(), "CLICKHOUSE_DATABASE", "w_" + run,
                    "WRITER_GROUP_ID", "trusted-" + run));
            try (RunningWriter writer = new RunningWriter(server.endpoint(), kafka, trusted)) {
                assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> tableHolds(server, "w_" + run + "." + topic + "_current")))
                        .as("the row, written over HTTPS").isTrue();
                assertThat(writer.sink.health().ready()).isTrue();
            }
        }
        assertThat(catchThrowable(() -> WriterConfig.from(new Env(Map.of("CLICKHOUSE_URL", "http://localhost:8123",
                "CLICKHOUSE_CA_FILE", "/etc/hostname"))))).hasMessageContaining("CLICKHOUSE_CA_FILE is set, but CLICKHOUSE_URL");
    }

    private static boolean tableHolds(LocalClickHouse server, String view) {
        try {
            return server.endpoint().query("SELECT order_id FROM " + view).size() == 1;
        } catch (RuntimeException e) {
            return false; // not created yet
        }
    }
}

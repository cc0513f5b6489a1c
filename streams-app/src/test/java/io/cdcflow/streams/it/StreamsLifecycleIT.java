package io.cdcflow.streams.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.ChangeEventCodec;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.streams.StreamsApp;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.Ports;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.TopicReader;
import io.cdcflow.testsupport.Waiting;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** How the streams-app starts, stops and fails against the real broker: with the default group settings. */
@ExtendWith(RealServices.class)
class StreamsLifecycleIT {
    private static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(45);

    @Test
    void aGroupUsedByAnotherKindOfClientStopsTheAppWithOneClearLine(KafkaEndpoint kafka) throws Exception {
        String run = "f" + UUID.randomUUID().toString().substring(0, 8);
        StreamsAppConfig config = withInputs(kafka, run);
        Properties writer = kafka.consumerProperties();
        writer.put(ConsumerConfig.GROUP_ID_CONFIG, config.applicationId()); // a clickhouse-writer given the same group id
        try (KafkaConsumer<byte[], byte[]> other = new KafkaConsumer<>(writer)) {
            other.subscribe(List.of(config.inputTopic("orders")));
            Waiting.until(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
                other.poll(Duration.ofMillis(100));
                return !other.assignment().isEmpty();
            });
            AtomicReference<String> fatal = new AtomicReference<>();
            try (StreamsApp app = new StreamsApp(config, new Metrics())) {
                app.onFatal(fatal::set);
                app.start();
                assertThat(Waiting.until(Duration.ofSeconds(60), Duration.ofMillis(100), () -> {
                    other.poll(Duration.ofMillis(50)); // stays a live member of the group
                    return fatal.get() != null;
                })).isTrue();
                assertThat(fatal.get()).contains("consumer group " + run, "STREAMS_APPLICATION_ID", "WRITER_GROUP_ID");
                assertThat(app.health().detail()).startsWith("stopped: the consumer group");
                assertThat(Waiting.until(Duration.ofSeconds(30), Duration.ofMillis(100),
                        () -> app.state() == KafkaStreams.State.ERROR || app.state() == KafkaStreams.State.NOT_RUNNING)).isTrue();
            }
        }
    }

    @Test
    void aCleanStopHandsItsPartitionsToTheOtherInstanceWithoutWaitingForItsSession(KafkaEndpoint kafka) throws Exception {
        String run = "l" + UUID.randomUUID().toString().substring(0, 8);
        StreamsAppConfig a = config(kafka, run);
        StreamsAppConfig b = config(kafka, run);
        RunConfig.createInputs(kafka, a, 4);
        RunConfig.publishSchemas(kafka, a);
        kafka.createTopics(4, RunConfig.output(run, "order_fact"));
        StreamsApp second = new StreamsApp(b, new Metrics());
        try (StreamsApp first = new StreamsApp(a, new Metrics());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties());
             TopicReader reader = new TopicReader(kafka, List.of(RunConfig.output(run, "order_fact")))) {
            first.start();
            second.start();
            assertThat(Waiting.until(Duration.ofSeconds(90), Duration.ofMillis(200),
                    () -> first.state() == KafkaStreams.State.RUNNING && second.state() == KafkaStreams.State.RUNNING)).isTrue();
            for (int id = 1; id <= 8; id++) {
                send(producer, a, id, 0x100 + id);
            }
            reader.readUntil(Duration.ofSeconds(60), rs -> rs.size() >= 8);

            second.close(); // a scale-in: SIGTERM to one of two instances
            long stopped = System.nanoTime();
            for (int id = 1; id <= 8; id++) {
                send(producer, a, id, 0x1000 + id); // every partition gets a change
            }
            var records = reader.readUntil(Duration.ofSeconds(90), rs -> rs.stream().filter(r -> Json.read(r.value())
                    .path("status").asText().equals("after")).count() >= 8);
            Duration pause = Duration.ofNanos(System.nanoTime() - stopped);
            System.out.println("[lifecycle] facts flowed again " + pause.toMillis() + " ms after one of two instances stopped");
            assertThat(records.stream().filter(r -> Json.read(r.value()).path("status").asText().equals("after")).count()).isEqualTo(8);
            assertThat(pause).as("the pause after a clean stop, against the %s session timeout", DEFAULT_SESSION_TIMEOUT)
                    .isLessThan(DEFAULT_SESSION_TIMEOUT.dividedBy(2));
        } finally {
            second.close();
        }
    }

    @Test
    void changesRetentionDeletedBeforeTheyWereProcessedStopTheAppNotReadyInsteadOfBeingSkipped(KafkaEndpoint kafka) throws Exception {
        String run = "o" + UUID.randomUUID().toString().substring(0, 8);
        StreamsAppConfig config = withInputs(kafka, run);
        kafka.createTopics(1, RunConfig.output(run, "order_fact"));
        TopicPartition orders = new TopicPartition(config.inputTopic("orders"), 0);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties());
             Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            try (StreamsApp app = new StreamsApp(config, new Metrics());
                 TopicReader reader = new TopicReader(kafka, List.of(RunConfig.output(run, "order_fact")))) {
                app.start(); // a new application: "none" finds the starting offsets committed for it
                send(producer, config, 1, 0x100);
                reader.readUntil(Duration.ofSeconds(60), rs -> !rs.isEmpty());
            }
            assertThat(committed(admin, run, orders)).isEqualTo(1);
            // while the app is stopped, two more changes arrive and the topic's retention deletes them
            send(producer, config, 2, 0x200);
            send(producer, config, 3, 0x300);
            admin.deleteRecords(Map.of(orders, RecordsToDelete.beforeOffset(3))).all().get();
            Metrics metrics = new Metrics();
            try (StreamsApp app = new StreamsApp(config, metrics)) {
                app.start();
                assertThat(Waiting.until(Duration.ofSeconds(60), Duration.ofMillis(100),
                        () -> app.health().detail().contains("no longer exist in Kafka"))).as(app.health().detail()).isTrue();
                assertThat(app.health().ready()).isFalse();
                assertThat(app.health().detail()).contains(orders.toString(), "kafka-streams-application-reset.sh --application-id " + run);
                assertThat(metrics.scrape()).contains("streams_offset_out_of_range_total 1");
                assertThat(committed(admin, run, orders)).as("nothing skipped").isEqualTo(1);
            }
        }
    }

    @Test
    void metricsScrapedWithoutPauseWhileTheAppStartsAndStopsNeverCrashTheJvm(KafkaEndpoint kafka) throws Exception {
        // Kafka Streams' state store gauges read the stores' native RocksDB objects, which a closing task frees: a
        // scrape at that moment crashed the JVM (a fork that dies fails this run)
        String run = "m" + UUID.randomUUID().toString().substring(0, 8);
        StreamsAppConfig config = withInputs(kafka, run);
        kafka.createTopics(1, RunConfig.output(run, "order_fact"));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            for (int round = 0; round < 3; round++) {
                send(producer, config, round + 1, 0x100 + round);
                Metrics metrics = new Metrics();
                Set<String> seen = ConcurrentHashMap.newKeySet();
                Thread scraper = new Thread(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        String scraped = metrics.scrape();
                        Stream.of("kafka_stream_thread_metrics", "kafka_stream_state_metrics").filter(scraped::contains).forEach(seen::add);
                    }
                });
                try (StreamsApp app = new StreamsApp(config, metrics)) {
                    app.start();
                    scraper.start();
                    assertThat(Waiting.until(Duration.ofSeconds(60), Duration.ofMillis(50),
                            () -> app.state() == KafkaStreams.State.RUNNING)).isTrue();
                } finally {
                    scraper.interrupt();
                    scraper.join();
                }
                assertThat(seen).containsExactly("kafka_stream_thread_metrics");
            }
        }
    }

    @Test
    void stateAnEarlierVersionWroteInJsonStopsTheStartWithTheWayOut(KafkaEndpoint kafka) throws Exception {
        String run = "j" + UUID.randomUUID().toString().substring(0, 8);
        StreamsAppConfig config = withInputs(kafka, run);
        // a source table's changelog as the JSON-era streams-app left it
        String changelog = run + "-customers-table-changelog";
        kafka.createTopics(1, changelog);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            producer.send(new ProducerRecord<>(changelog, "{\"id\":1}".getBytes(), "{\"id\":1,\"name\":\"Ada\",\"__commit_lsn\":5}".getBytes())).get();
        }
        try (StreamsApp app = new StreamsApp(config, new Metrics())) {
            assertThat(org.assertj.core.api.Assertions.catchThrowable(app::start))
                    .hasMessageContaining("written by an earlier streams-app version").hasMessageContaining(changelog)
                    .hasMessageContaining("kafka-streams-application-reset.sh --bootstrap-server <kafka> --application-id " + run);
            assertThat(app.state()).isEqualTo(KafkaStreams.State.CREATED);
        }
    }

    private static long committed(Admin admin, String group, TopicPartition partition) throws Exception {
        var offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(partition);
        return offset == null ? -1 : offset.offset();
    }

    /** A run's configuration, its input topics (one partition each) and the source tables' schemas. */
    private static StreamsAppConfig withInputs(KafkaEndpoint kafka, String run) throws Exception {
        StreamsAppConfig config = config(kafka, run);
        RunConfig.createInputs(kafka, config, 1);
        RunConfig.publishSchemas(kafka, config);
        return config;
    }

    private static StreamsAppConfig config(KafkaEndpoint kafka, String run) throws Exception {
        int port = Ports.free();
        return RunConfig.of(kafka, run, Map.of("STREAMS_HTTP_ADDR", "127.0.0.1:" + port, "STREAMS_ADVERTISED_ADDR", "127.0.0.1:" + port,
                "STREAMS_STATE_DIR", Files.createTempDirectory("streams-" + port).toString()));
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, StreamsAppConfig config, int id, long lsn) throws Exception {
        ChangeEvent event = ChangeEvent.ofRow("orders", Operation.INSERT, Json.object().put("id", id).put("customer_id", 1)
                .put("total", 1).put("status", lsn >= 0x1000 ? "after" : "before").put("created_at", "2026-11-24T10:00:00Z"), lsn, 0);
        producer.send(new ProducerRecord<>(config.inputTopic("orders"), ChangeEventCodec.keyBytes(event), ChangeEventCodec.valueBytes(event))).get();
    }
}

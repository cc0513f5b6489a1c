package io.cdcflow.wal.publish;

import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.ChangeEventCodec;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.kafka.FactsExport;
import io.cdcflow.common.kafka.TopicOffsets;
import io.cdcflow.common.kafka.TopicReadiness;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.wal.config.WalProducerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes change events to Kafka: idempotent producer, acks from all in-sync replicas, records keyed by primary
 * key so each row's changes stay in order on one partition.
 */
public final class KafkaPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaPublisher.class);
    /** Room for the record's headers and batch framing within Kafka's request size. */
    private static final int RECORD_OVERHEAD = 512;

    private final WalProducerConfig config;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Metrics.Counter published;
    private final Metrics.Counter deadLettered;
    private final io.cdcflow.common.ops.Freshness freshness;
    /** Publish runs on the session's one thread, so one writer serves every record. */
    private final ChangeEventCodec.Writer records = new ChangeEventCodec.Writer();
    /** For {@link #endOffsets}: made on first use, one for every table's snapshot bounds. */
    private Admin offsetsAdmin;
    /** Schema, then table. */
    private final Map<String, Map<String, Route>> routes = new java.util.concurrent.ConcurrentHashMap<>();

    public KafkaPublisher(WalProducerConfig config, Metrics metrics) {
        this.config = config;
        this.producer = new KafkaProducer<>(producerProperties(config));
        this.published = metrics.counter("cdc_events_published_total", "Change events acknowledged by Kafka", "table", "operation");
        this.deadLettered = metrics.counter("cdc_dead_letter_total", "Events sent to the dead-letter topic", "table", "reason");
        this.freshness = new io.cdcflow.common.ops.Freshness(metrics, "cdc", "acknowledged by Kafka", "table");
    }

    static Map<String, Object> producerProperties(WalProducerConfig config) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.putAll(config.kafkaClient());
        // Not overridable: these make delivery at-least-once, in order, without duplicates from producer retries.
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, config.maxRecordBytes());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "cdcflow-wal-producer-" + config.slot());
        return p;
    }

    /** Creates the topics that are missing; existing ones are left as they are. */
    public void ensureTopics(Collection<String> changeTopics) throws InterruptedException {
        Map<String, Object> adminProps = new HashMap<>(config.kafkaClient());
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        adminProps.keySet().retainAll(AdminClientConfig.configNames());
        try (Admin admin = Admin.create(adminProps)) {
            Set<String> existing = admin.listTopics().names().get(15, TimeUnit.SECONDS);
            List<NewTopic> missing = new java.util.ArrayList<>();
            for (String topic : changeTopics) {
                if (!existing.contains(topic)) {
                    missing.add(new NewTopic(topic, Optional.of(config.topicPartitions()), Optional.empty()).configs(config.changeTopicConfig()));
                }
            }
            if (!existing.contains(config.schemaTopic())) {
                missing.add(new NewTopic(config.schemaTopic(), Optional.of(1), Optional.empty())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
            }
            if (!existing.contains(config.stateTopic())) {
                missing.add(new NewTopic(config.stateTopic(), Optional.of(1), Optional.empty())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
            }
            if (config.factsFile() != null && !existing.contains(config.factsTopic())) {
                missing.add(new NewTopic(config.factsTopic(), Optional.of(1), Optional.empty()).configs(FactsExport.TOPIC_CONFIG));
            }
            if (config.oversize() == WalProducerConfig.OversizePolicy.DEAD_LETTER && !existing.contains(config.deadLetterTopic())) {
                missing.add(new NewTopic(config.deadLetterTopic(), Optional.of(1), Optional.empty()));
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                List<String> created = missing.stream().map(NewTopic::name).toList();
                if (!TopicReadiness.awaitServingLeaders(admin, created, Duration.ofSeconds(30))) {
                    LOG.warn("partitions of {} have no serving leader after 30 s; sending anyway", created);
                }
                LOG.info("created topics {}", created);
            }
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof org.apache.kafka.common.errors.TopicExistsException) {
                return;
            }
            throw new KafkaUnavailableException("cannot reach Kafka at " + config.bootstrapServers() + " to create topics: "
                    + cause.getMessage(), cause);
        }
    }

    /**
     * Sends one event. {@code onAck} runs once Kafka acknowledged it, {@code onFailure} if it never will be.
     *
     * @param oversize why the event lacks a value too large to read ({@code ChangeAssembler.oversize}), or null
     * @throws OversizeRecordException when the event is larger than Kafka accepts and the policy is to fail
     */
    public void publish(ChangeEvent event, String oversize, Runnable onAck, Consumer<Exception> onFailure) {
        if (oversize != null) {
            publishOversized(event, oversize, onAck, onFailure);
            return;
        }
        Route route = route(event.metadata().schema(), event.metadata().table());
        String topic = route.topic();
        byte[] key = records.key(event);
        byte[] value = records.value(event);
        String table = route.table();
        Operation operation = event.metadata().operation();
        if (key.length + value.length + RECORD_OVERHEAD > config.maxRecordBytes()) {
            publishOversized(event, "change event for table " + table + " key " + new String(key, StandardCharsets.UTF_8)
                    + " at LSN " + event.metadata().lsn() + " is " + (key.length + value.length)
                    + " bytes, over Kafka's limit of " + config.maxRecordBytes() + " (KAFKA_MAX_REQUEST_SIZE)", onAck, onFailure);
            return;
        }
        // the record's time is the change's commit time (a snapshot row's: when it was read), which Kafka Streams carries
        // to the facts: each stage's lag in seconds. Never ahead of this clock: brokers refuse records from the future.
        long now = System.currentTimeMillis();
        long committed = event.metadata().commitTs() == null ? now : Math.min(now, event.metadata().commitTs().toEpochMilli());
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, committed, key, value);
        schemaHeader(record, event);
        send(record, route.published()[operation.ordinal()], () -> {
            route.lag().handled(committed);
            onAck.run();
        }, onFailure);
    }

    /**
     * An event too large for Kafka, by the policy: {@code fail} stops with the problem and the way out;
     * {@code dead_letter} sends its key and metadata, without its row, to the dead-letter topic.
     *
     * @throws OversizeRecordException under the {@code fail} policy
     */
    private void publishOversized(ChangeEvent event, String problem, Runnable onAck, Consumer<Exception> onFailure) {
        Route route = route(event.metadata().schema(), event.metadata().table());
        if (config.oversize() == WalProducerConfig.OversizePolicy.FAIL) {
            throw new OversizeRecordException(problem + "; raise KAFKA_MAX_REQUEST_SIZE and the topic's max.message.bytes, "
                    + "or set POSTGRES_CDC_OVERSIZE=dead_letter");
        }
        LOG.error("{}; sent to dead-letter topic {} without its row", problem, config.deadLetterTopic());
        deadLettered.inc(route.table(), "oversize");
        ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>(config.deadLetterTopic(), records.key(event),
                records.value(new ChangeEvent(event.key(), event.metadata(), event.key().deepCopy(), null)));
        schemaHeader(dead, event);
        dead.headers().add(new RecordHeader("cdc.error", problem.getBytes(StandardCharsets.UTF_8)));
        dead.headers().add(new RecordHeader("cdc.topic", route.topic().getBytes(StandardCharsets.UTF_8)));
        send(dead, route.published()[event.metadata().operation().ordinal()], onAck, onFailure);
    }

    /** The record key an event is published under, byte for byte. */
    public byte[] key(ChangeEvent event) {
        return records.key(event);
    }

    private static void schemaHeader(ProducerRecord<byte[], byte[]> record, ChangeEvent event) {
        if (event.schemaId() != null) {
            record.headers().add(new RecordHeader(RowSchema.HEADER, event.schemaId().getBytes(StandardCharsets.US_ASCII)));
        }
    }

    /** The producer, for the schema publisher: schemas are written by the same client as the records they describe. */
    public org.apache.kafka.clients.producer.Producer<byte[], byte[]> producer() {
        return producer;
    }

    /** Where a table's events go and what they are counted as; looked up once per table, not per event. */
    private record Route(String topic, String table, LongAdder[] published, io.cdcflow.common.ops.Freshness.Series lag) {
    }

    private Route route(String schema, String table) {
        return routes.computeIfAbsent(schema, s -> new java.util.concurrent.ConcurrentHashMap<>()).computeIfAbsent(table, t -> {
            LongAdder[] counters = new LongAdder[Operation.values().length];
            for (Operation operation : Operation.values()) {
                counters[operation.ordinal()] = published.series(schema + "." + table, operation.wireName());
            }
            return new Route(config.routing().topicFor(schema, table), schema + "." + table, counters,
                    freshness.series(schema + "." + table));
        });
    }

    private void send(ProducerRecord<byte[], byte[]> record, LongAdder published, Runnable onAck, Consumer<Exception> onFailure) {
        producer.send(record, (metadata, error) -> {
            if (error == null) {
                published.increment();
                onAck.run();
            } else {
                onFailure.accept(error);
            }
        });
    }

    /** Sends one record synchronously: for the snapshot state. */
    public void sendAndWait(String topic, byte[] key, byte[] value) throws InterruptedException {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(2, TimeUnit.MINUTES);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaUnavailableException("Kafka did not acknowledge a write to " + topic + ": " + e.getMessage(), e);
        }
    }

    public void flush() {
        producer.flush();
    }

    /** A topic's end offsets by partition now: after {@link #flush}, past every record this publisher sent to it. */
    public synchronized Map<Integer, Long> endOffsets(String topic) throws InterruptedException {
        if (offsetsAdmin == null) {
            Map<String, Object> adminProps = new HashMap<>(config.kafkaClient());
            adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
            adminProps.keySet().retainAll(AdminClientConfig.configNames());
            offsetsAdmin = Admin.create(adminProps);
        }
        try {
            return TopicOffsets.ends(offsetsAdmin, topic, IsolationLevel.READ_UNCOMMITTED);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaUnavailableException("cannot read the end offsets of " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
        synchronized (this) {
            if (offsetsAdmin != null) {
                offsetsAdmin.close(Duration.ofSeconds(5));
            }
        }
    }

    /** An event over Kafka's size limit, with the fail policy. */
    public static final class OversizeRecordException extends RuntimeException {
        public OversizeRecordException(String message) {
            super(message);
        }
    }

    /** Kafka cannot be reached or did not acknowledge in time. */
    public static final class KafkaUnavailableException extends RuntimeException {
        public KafkaUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

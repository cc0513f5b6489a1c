package io.cdcflow.common.schema;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schemas in the schema topic, read by any consumer of records: by id (the {@code cdc.schema_id} header of a
 * record) and the newest per subject (highest {@link RowSchema#lsn()}). The topic is read to its end on every miss,
 * so a schema published before the records that name it is always found. Not thread-safe for {@link #refresh};
 * lookups of known schemas are.
 */
public final class SchemaTopicReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaTopicReader.class);

    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, RowSchema> byId = new ConcurrentHashMap<>();
    private final Map<String, RowSchema> latest = new ConcurrentHashMap<>();
    private List<TopicPartition> partitions = List.of();

    /** @param kafkaClient client properties (bootstrap servers, security); group and deserializers are set here */
    public SchemaTopicReader(String topic, Map<String, Object> kafkaClient) {
        this.topic = topic;
        Map<String, Object> p = new HashMap<>(kafkaClient);
        p.keySet().retainAll(ConsumerConfig.configNames());
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a reader that comes first must not create the topic: the wal-producer creates it compacted
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "cdcflow-schema-catalog-" + Long.toHexString(System.nanoTime()));
        this.consumer = new KafkaConsumer<>(p);
    }

    public String topic() {
        return topic;
    }

    /** The schema with this id, reading the topic to its end when it is not known yet; null when it is not there. */
    public RowSchema get(String id) {
        RowSchema schema = byId.get(id);
        if (schema == null) {
            refresh();
            schema = byId.get(id);
        }
        return schema;
    }

    /** The newest schema of a subject ({@code public.orders}, {@code order_fact}) read so far, or null. */
    public RowSchema latest(String subject) {
        return latest.get(subject);
    }

    /** Remembers a schema this process published itself, without waiting to read it back. */
    public void add(RowSchema schema) {
        byId.putIfAbsent(schema.id(), schema);
        latest.merge(schema.subject(), schema, (old, candidate) -> Long.compareUnsigned(candidate.lsn(), old.lsn()) >= 0 ? candidate : old);
    }

    /**
     * Reads every schema published so far.
     *
     * @throws UnavailableException when Kafka does not serve the topic in time
     */
    public synchronized void refresh() {
        try {
            readToEnd();
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new UnavailableException("cannot read schema topic " + topic + ": " + e.getMessage(), e);
        }
    }

    private void readToEnd() {
        if (partitions.isEmpty()) {
            List<PartitionInfo> info = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (info == null || info.isEmpty()) {
                return; // nothing published yet
            }
            partitions = info.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }
        boolean complete = io.cdcflow.common.kafka.ReadToEnd.read(consumer, partitions, Duration.ofSeconds(60), record -> {
            if (record.value() == null) {
                return;
            }
            try {
                add(RowSchemaCodec.read(record.value()));
            } catch (RuntimeException e) {
                LOG.warn("ignoring record {} of schema topic {} at offset {}: {}", record.key() == null ? "" : new String(record.key(),
                        java.nio.charset.StandardCharsets.UTF_8), topic, record.offset(), e.getMessage());
            }
        });
        if (!complete) {
            throw new UnavailableException("could not read schema topic " + topic + " to its end within 60 s", null);
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }

    /** The schema topic could not be read; nothing was lost, the caller retries. */
    public static final class UnavailableException extends RuntimeException {
        public UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

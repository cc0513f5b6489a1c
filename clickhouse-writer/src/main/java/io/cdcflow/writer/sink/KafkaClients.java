package io.cdcflow.writer.sink;

import io.cdcflow.writer.config.WriterConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The writer's Kafka clients' settings: the user's {@code KAFKA_*} settings, and what the writer's guarantees need. */
public final class KafkaClients {
    private KafkaClients() {
    }

    /** The schema topic's reader's settings. */
    public static Map<String, Object> catalog(WriterConfig config) {
        Map<String, Object> client = new HashMap<>(config.kafkaClient());
        client.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        return client;
    }

    /** The consumer of the topics written to ClickHouse. */
    public static Map<String, Object> consumer(WriterConfig config) {
        Map<String, Object> p = new HashMap<>(config.kafkaClient());
        p.keySet().retainAll(ConsumerConfig.configNames());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        if (config.instanceId() != null) {
            p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.instanceId());
        }
        // "none": a committed offset that retention has deleted must not be skipped silently (see poll); a partition
        // without a committed offset starts from its beginning
        p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        // the streams-app writes its facts in transactions: records of an aborted one never reach ClickHouse
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        if (config.patterns()) {
            p.putIfAbsent(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 10_000); // a new table's topic is found within seconds
        }
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    /** The producer of dead letters. */
    public static Map<String, Object> producer(WriterConfig config) {
        Map<String, Object> p = new HashMap<>(config.kafkaClient());
        p.keySet().retainAll(ProducerConfig.configNames());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }
}

package io.cdcflow.testsupport;

import io.cdcflow.common.kafka.TopicReadiness;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** A Kafka broker, by its bootstrap servers. */
public record KafkaEndpoint(String bootstrapServers) {

    public Properties producerProperties() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return p;
    }

    /** A consumer in a group of its own, reading from the beginning. */
    public Properties consumerProperties() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    public void createTopics(int partitions, String... names) {
        createTopics(partitions, Map.of(), names);
    }

    /** Topics with the given configuration: {@code cleanup.policy=compact} for change topics as the wal-producer makes them. */
    public void createTopics(int partitions, Map<String, String> configs, String... names) {
        Collection<NewTopic> topics = java.util.Arrays.stream(names)
                .map(n -> new NewTopic(n, partitions, (short) 1).configs(configs)).toList();
        try (Admin admin = admin()) {
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
            if (!TopicReadiness.awaitServingLeaders(admin, List.of(names), Duration.ofSeconds(30))) {
                throw new IllegalStateException("partitions of " + List.of(names) + " have no serving leader after 30 s");
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not create topics " + List.of(names) + ": " + e.getMessage(), e);
        }
    }

    /** A topic name no other test uses. */
    public static String uniqueTopic(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}

package io.cdcflow.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealServices.class)
class KafkaSmokeIT {

    @Test
    void recordIsProducedAndConsumedBack(KafkaEndpoint kafka) throws Exception {
        String topic = KafkaEndpoint.uniqueTopic("smoke");
        kafka.createTopics(1, topic);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            producer.send(new ProducerRecord<>(topic, bytes("{\"id\":1}"), bytes("{\"name\":\"first\"}"))).get();
        }
        List<ConsumerRecord<byte[], byte[]>> received = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProperties())) {
            consumer.subscribe(List.of(topic));
            Waiting.until(Duration.ofSeconds(30), Duration.ZERO, () -> {
                consumer.poll(Duration.ofMillis(500)).forEach(received::add);
                return !received.isEmpty();
            });
        }
        assertThat(received).hasSize(1);
        assertThat(new String(received.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":1}");
        assertThat(new String(received.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("{\"name\":\"first\"}");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package io.cdcflow.common.schema;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes schemas to the schema topic and waits for Kafka's acknowledgement, so that a schema is in the topic before
 * any record naming it is sent. Keyed by id: the topic is compacted and keeps every version. Each id is sent once
 * per process.
 */
public final class SchemaPublisher {
    private final String topic;
    private final Producer<byte[], byte[]> producer;
    private final Set<String> sent = ConcurrentHashMap.newKeySet();

    public SchemaPublisher(String topic, Producer<byte[], byte[]> producer) {
        this.topic = topic;
        this.producer = producer;
    }

    public String topic() {
        return topic;
    }

    /** @return the schema's id, for the {@value RowSchema#HEADER} header of the records it describes */
    public String publish(RowSchema schema) throws InterruptedException {
        String id = schema.id();
        if (sent.contains(id)) {
            return id;
        }
        try {
            producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), RowSchemaCodec.bytes(schema)))
                    .get(2, TimeUnit.MINUTES);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("Kafka did not acknowledge schema " + id + " of " + schema.subject()
                    + " on topic " + topic + ": " + cause.getMessage(), cause);
        }
        sent.add(id);
        return id;
    }
}

package io.cdcflow.testsupport;

import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SchemaPublisher;
import io.cdcflow.common.schema.SqlTypes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Schemas for records a test or benchmark writes itself, published the way the streams-app publishes its own. */
public final class TestSchemas {
    /** The order fact of the default facts, as derived from the demo workload's tables. */
    public static final RowSchema ORDER_FACT = RowSchema.fact("order_fact", 1, List.of(
            new Column("order_id", SqlTypes.INT4, true),
            new Column("customer_id", SqlTypes.INT4, false),
            new Column("customer_name", SqlTypes.TEXT, false),
            new Column("customer_email", SqlTypes.TEXT, false),
            new Column("total", SqlTypes.numeric(12, 2), false),
            new Column("status", SqlTypes.TEXT, false),
            new Column("created_at", SqlTypes.TIMESTAMPTZ, false)), List.of("order_id"));

    private TestSchemas() {
    }

    /** Publishes {@code schema} to {@code schemaTopic} and returns its id. */
    public static String publish(KafkaEndpoint kafka, String schemaTopic, RowSchema schema) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            return new SchemaPublisher(schemaTopic, producer).publish(schema);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A record naming the schema with {@code id} in its header. */
    public static ProducerRecord<byte[], byte[]> record(String topic, String id, String key, String value) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
        record.headers().add(RowSchema.HEADER, id.getBytes(StandardCharsets.US_ASCII));
        return record;
    }
}

package io.cdcflow.testsupport;

import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SchemaPublisher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import org.apache.kafka.clients.producer.KafkaProducer;

/** Facts files and source schemas for tests and benchmarks that run the streams-app without a wal-producer. */
public final class FactsFixtures {
    private FactsFixtures() {
    }

    /**
     * A temporary facts file of {@code sql} with every view named {@code <prefix>_<view>}: its output topics (and
     * ClickHouse tables) belong to one run.
     */
    public static Path prefixed(String sql, String prefix) {
        try {
            Path file = Files.createTempFile(prefix + "-facts", ".sql");
            Files.writeString(file, sql.replaceAll("CREATE VIEW (\\w+)", "CREATE VIEW " + prefix + "_$1"));
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Publishes source tables' schemas to a schema topic, as the wal-producer does at its start. */
    public static void publishSchemas(KafkaEndpoint kafka, String topic, Collection<RowSchema> schemas) throws InterruptedException {
        kafka.createTopics(1, topic);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            SchemaPublisher publisher = new SchemaPublisher(topic, producer);
            for (RowSchema schema : schemas) {
                publisher.publish(schema);
            }
        }
    }
}

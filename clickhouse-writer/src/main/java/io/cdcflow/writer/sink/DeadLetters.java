package io.cdcflow.writer.sink;

import io.cdcflow.common.ops.LogSampler;
import io.cdcflow.common.ops.Metrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter topic: records the writer cannot turn into rows, and rows ClickHouse refused, each with the error
 * ({@code cdc.error}) and where it came from ({@code cdc.source}). Sends are asynchronous; {@link #confirm} waits for
 * them before offsets past them are committed, and a send that failed keeps them from being committed.
 */
final class DeadLetters implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final Metrics.Counter counted;
    private final LogSampler log = new LogSampler(LOG::warn);
    /** A send that failed: no offset is committed past its record until it is sent again. */
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    DeadLetters(Producer<byte[], byte[]> producer, String topic, Metrics metrics) {
        this.producer = producer;
        this.topic = topic;
        this.counted = metrics.counter("writer_dead_letter_total", "Records sent to the dead-letter topic", "topic");
    }

    /** A record that cannot be written, as it was read. */
    void record(ConsumerRecord<byte[], byte[]> record, String error) {
        String where = record.topic() + "[" + record.partition() + "]@" + record.offset();
        int colon = error.indexOf(':');
        log.record(record.topic() + ": " + (colon > 0 ? error.substring(0, colon) : error), "dead-lettered record at " + where + ": " + error);
        ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>(topic, record.key(), record.value());
        dead.headers().add("cdc.error", error.getBytes(StandardCharsets.UTF_8));
        dead.headers().add("cdc.source", where.getBytes(StandardCharsets.UTF_8));
        send(dead);
        counted.inc(record.topic());
    }

    /** A row ClickHouse refused, as the TabSeparated line it was sent as, with the record it came from named. */
    void row(InsertFlights.Rejected row) {
        String where = row.source() == null ? "unknown position" : row.source();
        log.record(row.table() + ": refused by ClickHouse", "dead-lettered row of " + row.table() + " from " + where + ": " + row.error());
        ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>(topic, null, row.line());
        dead.headers().add("cdc.error", row.error().getBytes(StandardCharsets.UTF_8));
        dead.headers().add("cdc.source", where.getBytes(StandardCharsets.UTF_8));
        dead.headers().add("cdc.format", "TabSeparated".getBytes(StandardCharsets.UTF_8));
        send(dead);
        counted.inc(where.contains("[") ? where.substring(0, where.indexOf('[')) : row.table());
    }

    private void send(ProducerRecord<byte[], byte[]> dead) {
        producer.send(dead, (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        });
    }

    /**
     * Waits until Kafka took every record sent so far.
     *
     * @throws DeadLetterException when one was not taken: the records it carried are read (and dead-lettered) again
     */
    void confirm() {
        producer.flush();
        Exception lost = failure.getAndSet(null);
        if (lost != null) {
            throw new DeadLetterException("the dead-letter topic " + topic + " did not take a record (" + lost.getMessage()
                    + "); offsets are not committed, the records are read again", lost);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }

    /** A record could not be sent to the dead-letter topic: nothing past it is committed. */
    static final class DeadLetterException extends RuntimeException {
        DeadLetterException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

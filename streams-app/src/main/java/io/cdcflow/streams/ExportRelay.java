package io.cdcflow.streams;

import io.cdcflow.common.kafka.FactsExport;
import io.cdcflow.common.ops.Errors;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.streams.topology.OutputSchemas;
import io.cdcflow.streams.topology.SnapshotPositions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes the chunks of a wal-producer's facts export ({@link FactsExport}: a view's rows as PostgreSQL computed them
 * in the snapshot's transaction) on to the fact's output topic, with the output's schema in the {@code cdc.schema_id}
 * header as every fact record has, for the writer to land as they are. A thread and clients of its own, beside the
 * stream threads: the chunks go on while the stream threads fold the snapshot into the state, which is the point.
 *
 * <p>Only chunks of a view this application defines the same way pass ({@link SnapshotPositions#defines}: the hash
 * of its name and SELECT, for a fact whose columns leave the version and delete flag's names free); the same test
 * decides whether the stream threads leave the view's snapshot rows to the export, so the two never disagree. Any
 * other chunk is dropped, counted and logged once per view: the fact's rows then come from this application's own
 * computation. Offsets are committed after the chunks passed are acknowledged: a chunk passed twice (a crash between)
 * writes the same rows at the same version, which the ReplacingMergeTree merges.
 */
final class ExportRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExportRelay.class);
    private static final Duration RETRY = Duration.ofSeconds(5);

    private final String topic;
    private final String group;
    private final Map<String, Object> client;
    private final OutputSchemas schemas;
    private final SnapshotPositions snapshots;
    private final Metrics.Counter passed;
    private final Metrics.Counter dropped;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private final AtomicReference<KafkaConsumer<byte[], byte[]>> consumer = new AtomicReference<>();
    private volatile boolean closed;
    private Thread thread;

    ExportRelay(String topic, String applicationId, Map<String, Object> client, OutputSchemas schemas, SnapshotPositions snapshots,
                Metrics metrics) {
        this.topic = topic;
        this.group = applicationId + "-facts-export";
        this.client = client;
        this.schemas = schemas;
        this.snapshots = snapshots;
        this.passed = metrics.counter("streams_facts_export_chunks_total",
                "Chunks of a facts export passed on to their fact's topic", "fact");
        this.dropped = metrics.counter("streams_facts_export_chunks_dropped_total",
                "Chunks of a facts export not passed on: the view is not this application's, or defined otherwise", "fact");
    }

    void start() {
        thread = new Thread(this::run, "facts-export-relay");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!closed) {
            try (KafkaConsumer<byte[], byte[]> in = new KafkaConsumer<>(consumerProps());
                 KafkaProducer<byte[], byte[]> out = new KafkaProducer<>(producerProps())) {
                consumer.set(in);
                in.subscribe(List.of(topic));
                while (!closed) {
                    ConsumerRecords<byte[], byte[]> records = in.poll(Duration.ofMillis(500));
                    if (records.isEmpty()) {
                        continue;
                    }
                    AtomicReference<Exception> failure = new AtomicReference<>();
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        ProducerRecord<byte[], byte[]> onward = onward(record);
                        if (onward != null) {
                            out.send(onward, (meta, e) -> {
                                if (e != null) {
                                    failure.compareAndSet(null, e);
                                }
                            });
                        }
                    }
                    out.flush();
                    if (failure.get() != null) {
                        throw new IllegalStateException("Kafka refused a chunk: " + failure.get().getMessage(), failure.get());
                    }
                    in.commitSync();
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.error("passing the facts export in {} on failed ({}); trying again in {} s", topic, Errors.describe(e),
                        RETRY.toSeconds());
                try {
                    Thread.sleep(RETRY.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            } finally {
                consumer.set(null);
            }
        }
    }

    /** The chunk as it goes on to its fact's topic, or null when it does not go on. */
    ProducerRecord<byte[], byte[]> onward(ConsumerRecord<byte[], byte[]> record) {
        String fact = text(record, FactsExport.FACT_HEADER);
        String hash = text(record, FactsExport.HASH_HEADER);
        if (fact == null || !snapshots.defines(fact, hash)) {
            dropped.add(1, fact == null ? "" : fact);
            if (warned.add(fact + "/" + hash)) {
                if (fact != null && !snapshots.takesExportsOf(fact)) {
                    // another facts file's view (the wal-producer's built-in facts beside a file of the user's): nothing amiss
                    LOG.info("facts export chunk(s) of {} dropped: not one of this application's facts", fact);
                } else {
                    LOG.error("facts export chunk(s) of {} dropped: {}; this application computes the view's snapshot rows itself",
                            fact, fact == null ? "the chunk names no fact" : "the wal-producer's facts file defines " + fact
                                    + " otherwise than this application's (POSTGRES_CDC_FACTS_FILE and STREAMS_FACTS_FILE differ)");
                }
            }
            return null;
        }
        RecordHeaders headers = new RecordHeaders();
        String schemaId = schemas.idFor(fact); // null: none derivable, the writer dead-letters it as the fact's own records
        if (schemaId != null) {
            headers.add(RowSchema.HEADER, schemaId.getBytes(StandardCharsets.US_ASCII));
        }
        for (String name : FactsExport.CHUNK_HEADERS) {
            Header h = record.headers().lastHeader(name);
            if (h != null) {
                headers.add(name, h.value());
            }
        }
        passed.add(1, fact);
        return new ProducerRecord<>(fact, null, record.timestamp() < 0 ? null : record.timestamp(), record.key(), record.value(), headers);
    }

    private static String text(ConsumerRecord<byte[], byte[]> record, String header) {
        Header h = record.headers().lastHeader(header);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private Map<String, Object> consumerProps() {
        Map<String, Object> props = new HashMap<>(client);
        props.keySet().retainAll(ConsumerConfig.configNames());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // chunks are a quarter megabyte each: some dozens per fetch, not the default's four
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    private Map<String, Object> producerProps() {
        Map<String, Object> props = new HashMap<>(client);
        props.keySet().retainAll(ProducerConfig.configNames());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    @Override
    public void close() {
        closed = true;
        KafkaConsumer<byte[], byte[]> c = consumer.get();
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

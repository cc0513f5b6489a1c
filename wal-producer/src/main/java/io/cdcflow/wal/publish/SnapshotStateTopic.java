package io.cdcflow.wal.publish;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdcflow.common.event.Lsn;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.kafka.ReadToEnd;
import io.cdcflow.common.kafka.FactsExport;
import io.cdcflow.common.kafka.SnapshotBounds;
import io.cdcflow.wal.config.WalProducerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Remembers, in a compacted Kafka topic keyed by slot name, that a slot's snapshot was published in full, and of
 * which tables. Kept in Kafka, next to the events, so that resetting the topics also resets the snapshot: a slot
 * without a completed snapshot is snapshotted again, and a table added to the capture later gets its own snapshot,
 * which is how a crash mid-snapshot or a new table loses nothing.
 *
 * <p>Beside it, per table, where each snapshot's rows lie in the table's topic ({@link SnapshotBounds}, keyed apart
 * from the slot's record): the streams-app reads them to hold facts whose joined row may still come from a snapshot.
 */
public final class SnapshotStateTopic {
    private final WalProducerConfig config;
    private final KafkaPublisher publisher;

    public SnapshotStateTopic(WalProducerConfig config, KafkaPublisher publisher) {
        this.config = config;
        this.publisher = publisher;
    }

    /**
     * A completed snapshot.
     *
     * @param tables the tables it covers; null when recorded by a version that did not say (taken as every table)
     */
    public record Completed(Lsn consistentPoint, Set<String> tables) {
        /** The tables of {@code wanted} this snapshot does not cover. */
        public List<String> missing(List<String> wanted) {
            return tables == null ? List.of() : wanted.stream().filter(t -> !tables.contains(t)).toList();
        }
    }

    /** The slot's completed snapshot, or null when none completed. */
    public Completed completedSnapshot() {
        byte[] key = config.slot().getBytes(StandardCharsets.UTF_8);
        AtomicReference<JsonNode> newest = new AtomicReference<>();
        readAll(record -> {
            if (Arrays.equals(record.key(), key)) {
                newest.set(record.value() == null ? null : Json.read(record.value()));
            }
        });
        JsonNode latest = newest.get();
        if (latest == null || !latest.path("snapshot_complete").asBoolean(false)) {
            return null;
        }
        Set<String> tables = null;
        if (latest.has("tables")) {
            tables = new LinkedHashSet<>();
            for (JsonNode t : latest.get("tables")) {
                tables.add(t.asText());
            }
        }
        return new Completed(Lsn.parse(latest.path("consistent_point").asText()), tables);
    }

    /** The newest facts export this slot announced ({@link FactsExport}), or null when none. */
    public FactsExport factsExport() {
        AtomicReference<FactsExport> newest = new AtomicReference<>();
        readAll(record -> {
            FactsExport export = FactsExport.parse(record.key(), record.value());
            if (export != null && export.slot().equals(config.slot())) {
                newest.set(export);
            }
        });
        return newest.get();
    }

    /** Announces a facts export, before the snapshot's first row ({@link FactsExport}). */
    public void announce(FactsExport export) throws InterruptedException {
        publisher.sendAndWait(config.stateTopic(), export.key(), export.value());
    }

    /**
     * Records that a snapshot of {@code table} starts now ({@link SnapshotBounds}: where its rows begin in each
     * partition of its topic), for the streams-app, which holds facts back while it may still come.
     */
    public SnapshotBounds started(String table, String id) throws InterruptedException {
        String topic = config.routing().topicFor(config.schema(), table);
        SnapshotBounds bounds = new SnapshotBounds(config.slot(), config.schema(), table, topic, id, publisher.endOffsets(topic), null);
        publisher.sendAndWait(config.stateTopic(), bounds.key(), bounds.value());
        return bounds;
    }

    /** Records that every row of the snapshot {@code bounds} started was acknowledged: its end in each partition. */
    public void ended(SnapshotBounds bounds) throws InterruptedException {
        publisher.flush();
        SnapshotBounds ended = bounds.ended(publisher.endOffsets(bounds.topic()));
        publisher.sendAndWait(config.stateTopic(), ended.key(), ended.value());
    }

    /**
     * Ends, at their topics' ends now, the snapshots this slot started and never ended (its process stopped in the
     * middle): a table snapshotted again gets a new start; one that is not must not keep readers waiting for good.
     * Called by the process that owns the slot, before it snapshots anything.
     */
    public void endAbandoned() throws InterruptedException {
        Map<String, SnapshotBounds> open = new java.util.LinkedHashMap<>();
        readAll(record -> {
            SnapshotBounds bounds = SnapshotBounds.parse(record.key(), record.value());
            if (bounds != null && bounds.slot().equals(config.slot())) {
                if (bounds.ended()) {
                    open.remove(bounds.table());
                } else {
                    open.put(bounds.table(), bounds);
                }
            }
        });
        for (SnapshotBounds bounds : open.values()) {
            ended(bounds);
        }
    }

    /** Hands every record of the state topic, oldest first, to {@code each}. */
    private void readAll(java.util.function.Consumer<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> each) {
        Map<String, Object> props = new HashMap<>(config.kafkaClient());
        props.keySet().retainAll(ConsumerConfig.configNames());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        TopicPartition partition = new TopicPartition(config.stateTopic(), 0);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            ReadToEnd.read(consumer, List.of(partition), ReadToEnd.NO_LIMIT, each);
        }
    }

    public void markComplete(Lsn consistentPoint, long rows, Collection<String> tables) throws InterruptedException {
        var value = Json.object()
                .put("slot", config.slot())
                .put("snapshot_complete", true)
                .put("consistent_point", consistentPoint.toString())
                .put("rows", rows)
                .put("completed_at", Instant.now().toString());
        var list = value.putArray("tables");
        tables.forEach(list::add);
        publisher.sendAndWait(config.stateTopic(), config.slot().getBytes(StandardCharsets.UTF_8), Json.bytes(value));
    }
}

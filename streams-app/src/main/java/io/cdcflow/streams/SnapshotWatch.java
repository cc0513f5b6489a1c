package io.cdcflow.streams;

import io.cdcflow.common.kafka.ReadToEnd;
import io.cdcflow.common.kafka.FactsExport;
import io.cdcflow.common.kafka.SnapshotBounds;
import io.cdcflow.common.kafka.TopicOffsets;
import io.cdcflow.common.ops.Errors;
import io.cdcflow.streams.topology.SnapshotPositions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link SnapshotPositions} up to date for the joins: follows the snapshot bounds the wal-producer records in its
 * state topic ({@link SnapshotBounds}) and compares them with the offsets the application committed. A table's
 * snapshot is read in a partition once the application's committed offset there has passed the snapshot's end; a
 * small table's copies in a task's partition are complete once the application's committed offset in
 * that partition of the copies topic has passed that topic's end as it was at that moment (every copy made of the
 * snapshot's rows lies before it: the copies are written in the transaction that commits the source offsets).
 *
 * <p>The committed offsets are every instance's (the group's, from Kafka), lag processing by the commit interval and
 * survive restarts; nothing here is state of its own. A first pass runs before the stream threads start, so a restart
 * in the middle of a backfill holds from its first record.
 */
final class SnapshotWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotWatch.class);
    private static final Duration EVERY = Duration.ofMillis(250);
    /** How often the backfill's progress is logged while a snapshot is being read. */
    private static final Duration LOG_EVERY = Duration.ofSeconds(10);

    private final String stateTopic;
    private final String schema;
    private final String group;
    private final Map<String, Object> client;
    /** The tables whose snapshots matter: small tables joined inside tasks, parent tables joined through Kafka. */
    private final Set<String> tables;
    /** Every source table of the facts: their snapshots' reading is the backfill's progress. */
    private final Set<String> sources;
    private final BackfillProgress progress;
    private long nextLog;
    /** Per small table: its copies' stores and their topics. */
    private final Map<String, Map<String, String>> copies;
    private final SnapshotPositions positions;
    /** The newest bounds per state key. */
    private final Map<String, SnapshotBounds> bounds = new LinkedHashMap<>();
    /** A copies store's topic's end offsets when its table's snapshot was read, per store and snapshot. */
    private final Map<String, Map<Integer, Long>> copiesEnds = new HashMap<>();
    /** Per table, the snapshot read (and its copies complete) everywhere: no more offsets to compare for it. */
    private final Map<String, String> settled = new HashMap<>();
    private Admin admin;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;
    private volatile boolean closed;
    /** Told after each pass: what it read may change whether the stream threads wait ({@link SnapshotPositions#exportRunning}). */
    private volatile Runnable afterPass = () -> { };

    void afterEachPass(Runnable then) {
        afterPass = then;
    }

    /**
     * @param tables the tables whose snapshots the topology's processors hold rows for
     * @param sources every source table of the facts, whose snapshots' reading {@code progress} follows
     * @param copies per small table joined inside each task, its copies' stores and each store's topic
     */
    SnapshotWatch(String stateTopic, String schema, String group, Map<String, Object> client, Set<String> tables,
                  Set<String> sources, Map<String, Map<String, String>> copies, SnapshotPositions positions,
                  BackfillProgress progress) {
        this.tables = Set.copyOf(tables);
        this.sources = Set.copyOf(sources);
        this.progress = progress;
        this.stateTopic = stateTopic;
        this.schema = schema;
        this.group = group;
        this.client = client;
        this.copies = copies;
        this.positions = positions;
    }

    /** Runs a first pass, then one every 250 ms on a thread of its own; nothing without a state topic or tables. */
    void start() {
        if (stateTopic == null || tables.isEmpty() && sources.isEmpty()) {
            return;
        }
        Map<String, Object> adminProps = new HashMap<>(client);
        adminProps.keySet().retainAll(org.apache.kafka.clients.admin.AdminClientConfig.configNames());
        admin = Admin.create(adminProps);
        try {
            pass();
        } catch (RuntimeException e) { // the facts still converge: rows are only not held back until the next pass
            LOG.warn("following the snapshots in {} failed ({}); trying again", stateTopic, Errors.describe(e));
        }
        thread = new Thread(() -> {
            while (!closed) {
                try {
                    Thread.sleep(EVERY.toMillis());
                    pass();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    if (!closed) {
                        LOG.warn("following the snapshots in {} failed ({}); trying again", stateTopic, Errors.describe(e));
                    }
                }
            }
        }, "snapshot-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Reads what the state topic gained, publishes where each joined table's snapshots stand, and follows the reading
     * of every source table's snapshot (logged every 10 s while one is being read).
     */
    void pass() {
        if (!follow()) {
            return;
        }
        Map<String, List<SnapshotBounds>> byTable = new HashMap<>();
        for (SnapshotBounds b : bounds.values()) {
            if (b.schema().equals(schema) && (tables.contains(b.table()) || sources.contains(b.table()))) {
                byTable.computeIfAbsent(b.table(), t -> new ArrayList<>()).add(b);
            }
        }
        Map<String, OffsetAndMetadata> committed = null;
        Map<String, SnapshotPositions.Table> view = new HashMap<>();
        for (Map.Entry<String, List<SnapshotBounds>> table : byTable.entrySet()) {
            String snapshot = String.join(",", new TreeSet<>(table.getValue().stream().map(SnapshotBounds::id).toList()));
            if (sources.contains(table.getKey()) && !progress.finished(table.getKey(), snapshot)) {
                if (committed == null) {
                    committed = committed();
                }
                Map<String, OffsetAndMetadata> at = committed;
                if (progress.update(table.getKey(), snapshot, table.getValue(), (topic, p) -> position(at, topic, p))) {
                    LOG.info("backfill: the snapshot of {} is read, {}", table.getKey(), progress.line(table.getKey()));
                }
            }
            if (!tables.contains(table.getKey())) {
                continue;
            }
            if (snapshot.equals(settled.get(table.getKey()))) {
                view.put(table.getKey(), new SnapshotPositions.Table(snapshot, Set.of(), Map.of()));
                continue;
            }
            if (committed == null) {
                committed = committed();
            }
            Set<Integer> unread = new TreeSet<>();
            for (SnapshotBounds b : table.getValue()) {
                Set<Integer> partitions = new TreeSet<>(b.from().keySet());
                if (b.to() != null) {
                    partitions.addAll(b.to().keySet());
                }
                for (int p : partitions) {
                    if (!b.passed(p, position(committed, b.topic(), p))) {
                        unread.add(p);
                    }
                }
            }
            Map<String, Set<Integer>> incomplete = new HashMap<>();
            if (unread.isEmpty()) {
                for (Map.Entry<String, String> store : copies.getOrDefault(table.getKey(), Map.of()).entrySet()) {
                    Map<Integer, Long> ends = copiesEnds.computeIfAbsent(store.getKey() + "@" + snapshot, k -> ends(store.getValue()));
                    Set<Integer> behind = new TreeSet<>();
                    // under exactly-once the last offset below the end may be a transaction's marker, which no task reads
                    for (Map.Entry<Integer, Long> end : ends.entrySet()) {
                        if (position(committed, store.getValue(), end.getKey()) < end.getValue() - 1) {
                            behind.add(end.getKey());
                        }
                    }
                    if (!behind.isEmpty()) {
                        incomplete.put(store.getKey(), behind);
                    }
                }
                if (incomplete.isEmpty()) {
                    settled.put(table.getKey(), snapshot);
                    LOG.info("the snapshot of {} is read{} (snapshot {})", table.getKey(),
                            copies.containsKey(table.getKey()) ? " and its copies complete in every partition" : "", snapshot);
                }
            }
            view.put(table.getKey(), new SnapshotPositions.Table(snapshot, unread, incomplete));
        }
        positions.update(view);
        afterPass.run();
        List<String> reading = progress.reading();
        if (!reading.isEmpty() && System.nanoTime() >= nextLog) {
            nextLog = System.nanoTime() + LOG_EVERY.toNanos();
            LOG.info("backfill: {}", String.join("; ", reading.stream().map(t -> t + " " + progress.line(t)).toList()));
        }
    }

    /** Reads the state topic's new records; false while it does not exist (no wal-producer wrote it yet). */
    private boolean follow() {
        TopicPartition partition = new TopicPartition(stateTopic, 0);
        if (consumer == null) {
            try {
                if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(stateTopic)) {
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("cannot list the topics to find " + stateTopic + ": " + e.getMessage(), e);
            }
            Map<String, Object> props = new HashMap<>(client);
            props.keySet().retainAll(ConsumerConfig.configNames());
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.remove(ConsumerConfig.GROUP_ID_CONFIG);
            consumer = new KafkaConsumer<>(props);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
        }
        ReadToEnd.read(consumer, List.of(partition), Duration.ofSeconds(30), record -> {
            SnapshotBounds b = SnapshotBounds.parse(record.key(), record.value());
            if (b != null) {
                bounds.put(new String(record.key(), java.nio.charset.StandardCharsets.UTF_8), b);
            }
            FactsExport export = FactsExport.parse(record.key(), record.value());
            if (export != null) {
                positions.exported(export);
            }
            Long completedAt = b == null && export == null ? FactsExport.snapshotCompletedAt(record.key(), record.value()) : null;
            if (completedAt != null) {
                positions.completed(new String(record.key(), java.nio.charset.StandardCharsets.UTF_8), completedAt);
            }
        });
        return true;
    }

    /** The application's committed offsets, by topic and partition ("topic/partition"). */
    private Map<String, OffsetAndMetadata> committed() {
        try {
            Map<String, OffsetAndMetadata> offsets = new HashMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .forEach((tp, offset) -> {
                        if (offset != null) {
                            offsets.put(tp.topic() + "/" + tp.partition(), offset);
                        }
                    });
            return offsets;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the committed offsets of " + group + ": " + e.getMessage(), e);
        }
    }

    /** The application's next offset to read in a partition: 0 when it committed none. */
    private static long position(Map<String, OffsetAndMetadata> committed, String topic, int partition) {
        OffsetAndMetadata offset = committed == null ? null : committed.get(topic + "/" + partition);
        return offset == null ? 0 : offset.offset();
    }

    /** A topic's end offsets now, below any open transaction: what a reading task will have read. */
    private Map<Integer, Long> ends(String topic) {
        try {
            return TopicOffsets.ends(admin, topic, IsolationLevel.READ_COMMITTED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading the end offsets of " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the end offsets of " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(5));
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }
}

package io.cdcflow.wal.snapshot;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.Lsn;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.kafka.SnapshotBounds;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.wal.config.WalProducerConfig;
import io.cdcflow.wal.pgoutput.PgOutputMessage;
import io.cdcflow.wal.pgoutput.TupleData;
import io.cdcflow.wal.publish.KafkaPublisher;
import io.cdcflow.wal.publish.PublishedKeys;
import io.cdcflow.wal.publish.SnapshotStateTopic;
import io.cdcflow.wal.schema.CatalogSchemas;
import io.cdcflow.wal.setup.Identifiers;
import io.cdcflow.wal.stream.ChangeAssembler;
import io.cdcflow.wal.stream.PrimaryKeys;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The initial snapshot: every row of the published tables as a {@code read} event, read inside a transaction that
 * imported the snapshot the slot exported when it was created. So the snapshot shows exactly the data before the
 * slot's consistent point and the stream carries every change after it: no gap, no overlap.
 */
public final class Snapshotter {
    private static final Logger LOG = LoggerFactory.getLogger(Snapshotter.class);
    private static final long PROGRESS_INTERVAL_NANOS = 5_000_000_000L;

    private final WalProducerConfig config;
    private final KafkaPublisher publisher;
    private final ChangeAssembler assembler;
    private final PrimaryKeys primaryKeys;
    private final Metrics.Counter rowsRead;
    private final Metrics.Counter rowsVanished;
    private final AtomicLong tablesDone = new AtomicLong();
    private final AtomicLong tablesTotal = new AtomicLong();
    private final SnapshotProgress progress;
    /** Where each table's rows start and end in its topic's partitions: {@link SnapshotBounds}. */
    private final SnapshotStateTopic state;

    public Snapshotter(WalProducerConfig config, KafkaPublisher publisher, ChangeAssembler assembler,
                       PrimaryKeys primaryKeys, Metrics metrics) {
        this.config = config;
        this.publisher = publisher;
        this.assembler = assembler;
        this.primaryKeys = primaryKeys;
        this.rowsRead = metrics.counter("cdc_snapshot_rows_total", "Rows published by the initial snapshot", "table");
        this.rowsVanished = metrics.counter("cdc_snapshot_vanished_total",
                "Rows published earlier that a later snapshot no longer found, published as deletes", "table");
        metrics.gauge("cdc_snapshot_tables_done", "Tables whose initial snapshot is complete", tablesDone::get);
        metrics.gauge("cdc_snapshot_tables_total", "Tables in the initial snapshot", tablesTotal::get);
        this.progress = new SnapshotProgress(metrics);
        this.state = new SnapshotStateTopic(config, publisher);
    }

    /**
     * Publishes every row, then a delete for each row published earlier (by an earlier snapshot or the stream) that
     * the table no longer holds, and waits until Kafka acknowledged all of them.
     *
     * @param txn a connection inside a REPEATABLE READ transaction that imported the slot's snapshot
     * @return the number of rows published
     */
    public long run(Connection txn, List<String> tables, Lsn consistentPoint) throws SQLException, InterruptedException {
        return run(txn, tables, consistentPoint, Facts.NONE);
    }

    /** Whether a snapshot exports the facts file's views ({@link FactsExporter}), and at whose slot's position. */
    public enum Facts {
        /** A snapshot of some tables only (tables added later, an operator's request): no export. */
        NONE,
        /** The initial snapshot at a slot created for it. */
        NEW_SLOT,
        /** The initial snapshot at the position of a slot kept from before (an export may have been announced there). */
        KEPT_SLOT
    }

    /** @param facts whether the facts file's views are exported before the rows: for the initial snapshot only */
    public long run(Connection txn, List<String> tables, Lsn consistentPoint, Facts facts)
            throws SQLException, InterruptedException {
        tablesTotal.set(tables.size());
        FactsExporter exporter = new FactsExporter(config, publisher, assembler, state);
        // announced before the first row: a streams-app that reads it may leave the snapshot's facts to the export
        io.cdcflow.common.kafka.FactsExport export = facts == Facts.NONE ? null
                : exporter.announce(txn, consistentPoint.value(), facts == Facts.KEPT_SLOT);
        AtomicReference<Exception> failure = new AtomicReference<>();
        long total = 0;
        PublishedKeys earlier = PublishedKeys.scan(config, tables, consistentPoint);
        // every table's start first: a reader holds a row that joins a table whose snapshot has not begun yet as well
        String id = consistentPoint + "@" + java.time.Instant.now();
        Map<String, SnapshotBounds> bounds = new java.util.LinkedHashMap<>();
        for (String table : tables) {
            bounds.put(table, state.started(table, id));
        }
        assembler.beginSnapshot(consistentPoint.value(), earlier.nextSeq());
        // every table's schema before the first row: the streams-app, which waits for the schemas of the tables its facts
        // read, then starts while the first table is read instead of when the last one's snapshot begins
        Map<String, PgOutputMessage.Relation> relations = new java.util.LinkedHashMap<>();
        for (String table : tables) {
            PgOutputMessage.Relation relation = CatalogSchemas.relation(txn, config.schema(), table, primaryKeys.of(config.schema(), table));
            relations.put(table, relation);
            assembler.prepareSnapshot(relation, consistentPoint.value());
        }
        try {
            // the views first: their rows land in ClickHouse while the tables' rows go to Kafka (a streams-app that
            // takes the export starts on those once the snapshot is complete), instead of after them all
            if (export != null) {
                exporter.export(txn, export);
            }
            for (String table : tables) {
                total += table(txn, relations.get(table), consistentPoint, earlier.of(table), failure);
                tablesDone.incrementAndGet();
                if (failure.get() == null) {
                    state.ended(bounds.get(table));
                }
            }
        } finally {
            assembler.endSnapshot();
        }
        publisher.flush();
        if (failure.get() != null) {
            throw new IllegalStateException("Kafka did not acknowledge every snapshot row: " + failure.get().getMessage(), failure.get());
        }
        LOG.info("snapshot complete: {} rows from {} tables at consistent point {}", total, tables.size(), consistentPoint);
        return total;
    }

    /** @param earlier the table's keys published live before; each key read is removed, the rest are deleted */
    private long table(Connection txn, PgOutputMessage.Relation relation, Lsn consistentPoint, Set<ByteBuffer> earlier,
                       AtomicReference<Exception> failure) throws SQLException {
        String table = relation.table();
        String qualified = config.schema() + "." + table;
        long estimate = CatalogSchemas.estimatedRows(txn, relation);
        String columns = String.join(", ", relation.columns().stream().map(c -> Identifiers.quote(c.name())).toList());
        long started = System.nanoTime();
        long lastReport = started;
        progress.begin(qualified, estimate);
        LOG.info("snapshot {}: about {} rows (PostgreSQL's estimate)", qualified, estimate);
        long rows = 0;
        int width = relation.columns().size();
        int progressEvery = config.snapshotBatchRows();
        // COPY streams the rows without a round trip per batch: PostgreSQL keeps producing while we publish.
        CopyOut copy = txn.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (SELECT " + columns + " FROM "
                + Identifiers.qualified(config.schema(), table) + ") TO STDOUT");
        try {
            byte[] line;
            while ((line = copy.readFromCopy()) != null) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new IllegalStateException("snapshot of " + qualified + " stopped: the session ended");
                }
                TupleData tuple;
                try {
                    tuple = CopyText.parse(line, width, config.maxValueBytes());
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("snapshot of " + qualified + ": " + e.getMessage(), e);
                }
                ChangeEvent event = assembler.read(relation, tuple, consistentPoint.value());
                if (!earlier.isEmpty()) {
                    earlier.remove(ByteBuffer.wrap(publisher.key(event)));
                }
                publisher.publish(event, assembler.oversize(event), () -> { }, e -> failure.compareAndSet(null, e));
                if (++rows % progressEvery == 0) {
                    rowsRead.add(progressEvery, qualified);
                    progress.read(qualified, rows);
                    if (failure.get() != null) {
                        break;
                    }
                    if (System.nanoTime() - lastReport < PROGRESS_INTERVAL_NANOS) {
                        continue;
                    }
                    lastReport = System.nanoTime();
                    LOG.info("snapshot {}: {}", qualified, progress.line(qualified));
                }
            }
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
        rowsRead.add(rows % progressEvery, qualified);
        progress.end(qualified, rows);
        LOG.info("snapshot {}: done, {} rows in {} ms", qualified, rows, (System.nanoTime() - started) / 1_000_000);
        if (!earlier.isEmpty() && failure.get() == null) {
            LOG.info("snapshot {}: {} rows published earlier are no longer in the table: publishing their deletes", qualified,
                    earlier.size());
            for (ByteBuffer key : earlier) {
                ChangeEvent delete = assembler.vanished(relation, (ObjectNode) Json.read(key.array()), consistentPoint.value());
                publisher.publish(delete, null, () -> { }, e -> failure.compareAndSet(null, e));
            }
            rowsVanished.add(earlier.size(), qualified);
            earlier.clear();
        }
        return rows;
    }
}

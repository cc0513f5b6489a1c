package io.cdcflow.wal.snapshot;

import io.cdcflow.common.event.Lsn;
import io.cdcflow.common.ops.Errors;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.common.schema.SchemaPublisher;
import io.cdcflow.common.schema.SchemaTopicReader;
import io.cdcflow.wal.config.WalProducerConfig;
import io.cdcflow.wal.publish.KafkaPublisher;
import io.cdcflow.wal.publish.SnapshotStateTopic;
import io.cdcflow.wal.schema.CatalogSchemas;
import io.cdcflow.wal.schema.PublishedSchemas;
import io.cdcflow.wal.setup.PostgresConnector;
import io.cdcflow.wal.stream.CatalogLookups;
import io.cdcflow.wal.stream.ChangeAssembler;
import io.cdcflow.wal.types.PgTypeRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.replication.ReplicationSlotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots tables while the session keeps streaming: a table added to the capture (at start, or found under
 * {@code *} while running) and a table an operator asks for again. Each run creates a temporary logical slot only to
 * export a snapshot: the rows are read exactly as of that slot's consistent point and versioned with it, so every
 * change the session's slot streams after that point wins over them and every change before it is in them; the
 * temporary slot goes away with its connection. Its own Kafka producer and change assembler make it independent of
 * the streaming thread. A table whose snapshot fails stays unrecorded in the state topic, so the next start takes it.
 */
public final class BackgroundSnapshots implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundSnapshots.class);

    private final WalProducerConfig config;
    private final PostgresConnector connector;
    private final Metrics metrics;
    /** The tables whose snapshot is complete, recorded in the state topic after each run. */
    private final Set<String> snapshotted;
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "background-snapshot");
        thread.setDaemon(true);
        return thread;
    });

    /** @param snapshotted the tables the state topic records as snapshotted; runs add theirs */
    public BackgroundSnapshots(WalProducerConfig config, PostgresConnector connector, Metrics metrics, Collection<String> snapshotted) {
        this.config = config;
        this.connector = connector;
        this.metrics = metrics;
        this.snapshotted = ConcurrentHashMap.newKeySet();
        this.snapshotted.addAll(snapshotted);
    }

    /** Queues a snapshot of these tables; a table already queued is not queued twice. */
    public void request(Collection<String> tables) {
        List<String> fresh = tables.stream().filter(queued::add).toList();
        if (fresh.isEmpty()) {
            return;
        }
        LOG.info("snapshotting {} in the background while streaming goes on", fresh);
        runner.submit(() -> {
            try {
                run(fresh);
            } catch (Exception e) {
                LOG.error("background snapshot of {} failed; it is taken again at the next start: {}", fresh, Errors.describe(e));
            } finally {
                queued.removeAll(fresh);
            }
        });
    }

    private void run(List<String> tables) throws Exception {
        String temporary = temporarySlotName();
        Map<String, Object> kafkaClient = new HashMap<>(config.kafkaClient());
        kafkaClient.put("bootstrap.servers", config.bootstrapServers());
        try (Connection replication = connector.replication(); Connection snapshot = connector.connect();
             KafkaPublisher publisher = new KafkaPublisher(config, metrics);
             SchemaTopicReader published = new SchemaTopicReader(config.schemaTopic(), kafkaClient)) {
            published.refresh();
            ReplicationSlotInfo slot = replication.unwrap(PGConnection.class).getReplicationAPI().createReplicationSlot().logical()
                    .withSlotName(temporary).withOutputPlugin("pgoutput").withTemporaryOption().make();
            Lsn point = Lsn.parse(slot.getConsistentPoint().asString());
            snapshot.setAutoCommit(false);
            try (Statement s = snapshot.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                s.execute("SET TRANSACTION SNAPSHOT '" + slot.getSnapshotName().replace("'", "''") + "'");
            }
            replication.close(); // the snapshot is imported: the temporary slot is no longer needed
            CatalogLookups catalog = new CatalogLookups(connector);
            CatalogSchemas catalogSchemas = new CatalogSchemas(connector);
            ChangeAssembler assembler = new ChangeAssembler(new PgTypeRegistry(), catalog, catalog::type,
                    new PublishedSchemas(catalogSchemas, published, new SchemaPublisher(config.schemaTopic(), publisher.producer())));
            long rows = new Snapshotter(config, publisher, assembler, catalog, metrics).run(snapshot, tables, point);
            snapshot.commit();
            snapshotted.addAll(tables);
            new SnapshotStateTopic(config, publisher).markComplete(point, rows, new ArrayList<>(new LinkedHashSet<>(snapshotted)));
            LOG.info("background snapshot of {} complete at {}: {} rows", tables, point, rows);
        }
    }

    /** A name no other slot has: the session's slot name, marked, with a suffix (63 characters at most). */
    private String temporarySlotName() {
        String suffix = "_snap_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        String base = config.slot().length() + suffix.length() > 63 ? config.slot().substring(0, 63 - suffix.length()) : config.slot();
        return base + suffix;
    }

    @Override
    public void close() throws InterruptedException {
        runner.shutdownNow();
        runner.awaitTermination(30, TimeUnit.SECONDS);
    }
}

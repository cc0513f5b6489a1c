package io.cdcflow.wal;

import io.cdcflow.common.config.ConfigException;
import io.cdcflow.common.event.Lsn;
import io.cdcflow.common.ops.Errors;
import io.cdcflow.common.ops.Health;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.common.schema.SchemaPublisher;
import io.cdcflow.common.schema.SchemaTopicReader;
import io.cdcflow.wal.config.WalProducerConfig;
import io.cdcflow.wal.publish.KafkaPublisher;
import io.cdcflow.wal.publish.SnapshotStateTopic;
import io.cdcflow.wal.schema.CatalogSchemas;
import io.cdcflow.wal.schema.PublishedSchemas;
import io.cdcflow.wal.setup.CdcSetup;
import io.cdcflow.wal.setup.PostgresConnector;
import io.cdcflow.wal.snapshot.BackgroundSnapshots;
import io.cdcflow.wal.snapshot.Snapshotter;
import io.cdcflow.wal.stream.CatalogLookups;
import io.cdcflow.wal.stream.ChangeAssembler;
import io.cdcflow.wal.stream.ReplicationStreamer;
import io.cdcflow.wal.types.PgTypeRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.postgresql.PGConnection;
import org.postgresql.replication.ReplicationSlotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session of the wal-producer: setup, the initial snapshot when the slot is new, then streaming until stopped
 * or failed. A failed session leaves the slot where Kafka's acknowledgements put it; the next session resumes there.
 */
public final class WalProducer {
    private static final Logger LOG = LoggerFactory.getLogger(WalProducer.class);

    private final WalProducerConfig config;
    private final Metrics metrics;
    private final PostgresConnector connector;
    private final CdcSetup setup;
    private final AtomicReference<Health> health = new AtomicReference<>(Health.notReady("starting"));
    private volatile ReplicationStreamer streamer;
    private volatile boolean stopping;
    /** The tables of the running session. */
    private volatile List<String> captured = List.of();
    /** Tables an operator asked to snapshot again while no session streamed: taken when the next one starts. */
    private final java.util.Set<String> resnapshot = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The running session's snapshots taken while it streams, or null between sessions. */
    private volatile BackgroundSnapshots background;

    public WalProducer(WalProducerConfig config, Metrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.connector = new PostgresConnector(config.postgres());
        this.setup = new CdcSetup(config, connector);
    }

    public Health health() {
        Health h = health.get();
        ReplicationStreamer s = streamer;
        if (h.ready() && s != null && s.stalled()) {
            return Health.notReady("Kafka at " + config.bootstrapServers() + " has not acknowledged events for 30s");
        }
        return h;
    }

    public CdcSetup setup() {
        return setup;
    }

    /**
     * Snapshots a captured table again (an operator's request, {@code POST /snapshot/{table}}) while streaming goes
     * on; rows published earlier that the table no longer holds are deleted. Progress is in the log and
     * {@code cdc_snapshot_rows_total}.
     *
     * @throws IllegalArgumentException when the table is not captured
     */
    public String requestSnapshot(String table) {
        if (!captured.contains(table)) {
            throw new IllegalArgumentException("table " + config.schema() + "." + table + " is not captured (captured: " + captured + ")");
        }
        BackgroundSnapshots b = background;
        if (b == null) {
            resnapshot.add(table);
            return "snapshot of " + config.schema() + "." + table + " requested; taken when streaming starts";
        }
        b.request(List.of(table));
        return "snapshot of " + config.schema() + "." + table + " requested; progress in the log and cdc_snapshot_rows_total";
    }

    public void stop() {
        stopping = true;
        ReplicationStreamer s = streamer;
        if (s != null) {
            s.stop();
        }
    }

    /**
     * Runs sessions until stopped: a failed session is retried after a pause ({@link SessionRetries}: 1 s doubling to
     * 30 s), resuming from the slot's confirmed position. Only a configuration error or a lost slot ends it.
     */
    public void run() throws InterruptedException {
        SessionRetries retries = new SessionRetries();
        while (!stopping) {
            long started = System.nanoTime();
            boolean standby = false;
            try {
                runSession();
                return;
            } catch (ConfigException | SlotLostException e) {
                LOG.error("wal-producer: {}", e.getMessage());
                throw e;
            } catch (CdcSetup.SetupException e) {
                LOG.error("wal-producer: {}", e.getMessage());
                failed(e.getMessage());
            } catch (KafkaPublisher.OversizeRecordException e) {
                LOG.error("wal-producer: {}", e.getMessage());
                // the message names the row's key: row data stays in the log, out of /ready
                failed("an event is larger than Kafka accepts (KAFKA_MAX_REQUEST_SIZE, POSTGRES_CDC_OVERSIZE): see the log");
            } catch (SlotBusyException e) {
                LOG.info("{}", e.getMessage());
                failed("standby: " + e.getMessage());
                standby = true;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                String why = Errors.describe(e);
                LOG.error("wal-producer session failed, resuming from the last confirmed position: {}", why);
                failed(why);
            }
            Duration pause = retries.failed(Duration.ofNanos(System.nanoTime() - started), standby);
            long wakeAt = System.nanoTime() + pause.toNanos();
            while (!stopping && System.nanoTime() < wakeAt) {
                Thread.sleep(100);
            }
        }
    }

    /** Runs one session; returns when stopped, throws when it fails. */
    public void runSession() throws Exception {
        health.set(Health.notReady("waiting for PostgreSQL"));
        setup.waitForPostgres();
        if (config.waitForTable() != null) {
            health.set(Health.notReady("waiting for table " + config.schema() + "." + config.waitForTable()));
            setup.waitForTable(config.waitForTable());
        }
        List<String> tables = setup.resolveTables();
        setup.ensurePublication(tables);
        try (CdcSetup.SlotLock lock = setup.tryLockSlot()) {
            if (lock == null) {
                throw new SlotBusyException("another wal-producer holds the lock of replication slot " + config.slot() + " (pid "
                        + setup.slotLockHolder() + "); waiting as a standby until it is free");
            }
            runLocked(tables);
        }
    }

    /** The session while this process holds the slot's lock: nothing else snapshots or streams the slot meanwhile. */
    private void runLocked(List<String> tables) throws Exception {

        PgTypeRegistry types = new PgTypeRegistry();
        CatalogLookups catalog = new CatalogLookups(connector);
        Map<String, Object> kafkaClient = new HashMap<>(config.kafkaClient());
        kafkaClient.put("bootstrap.servers", config.bootstrapServers());
        try (KafkaPublisher publisher = new KafkaPublisher(config, metrics);
             SchemaTopicReader published = new SchemaTopicReader(config.schemaTopic(), kafkaClient)) {
            health.set(Health.notReady("connecting to Kafka at " + config.bootstrapServers()));
            publisher.ensureTopics(tables.stream().map(t -> config.routing().topicFor(config.schema(), t)).distinct().toList());
            published.refresh();
            CatalogSchemas catalogSchemas = new CatalogSchemas(connector);
            PublishedSchemas schemas = new PublishedSchemas(catalogSchemas, published,
                    new SchemaPublisher(config.schemaTopic(), publisher.producer()));
            // Every table's schema is in the topic before any record: a consumer joining tables finds them all.
            long now = setup.currentLsn().value();
            for (String table : tables) {
                List<String> pk = catalog.of(config.schema(), table);
                if (!pk.isEmpty()) { // a table keyed by its replica identity is described by its first Relation message
                    schemas.publish(catalogSchemas.describeNow(config.schema(), table, pk, now));
                }
            }
            ChangeAssembler assembler = new ChangeAssembler(types, catalog, catalog::type, schemas);
            SnapshotStateTopic state = new SnapshotStateTopic(config, publisher);

            Collection<String> snapshotted = tables;
            List<String> later = new java.util.ArrayList<>();
            CdcSetup.SlotState slot = setup.slot();
            if (slot != null && slot.lost()) {
                throw new SlotLostException(config.slot());
            }
            if (slot != null && slot.active()) {
                throw new SlotBusyException(slot);
            }
            state.endAbandoned();
            if (slot == null) {
                createSlotAndSnapshot(tables, assembler, catalog, publisher, state);
                slot = setup.slot();
            } else if (config.snapshot()) {
                SnapshotStateTopic.Completed done = state.completedSnapshot();
                if (done == null) {
                    LOG.info("replication slot {} exists with no completed snapshot recorded in {}: keeping it", config.slot(),
                            config.stateTopic());
                    snapshotAtSlotPosition(slot, tables, assembler, catalog, publisher, state);
                } else if (!done.missing(tables).isEmpty()) {
                    LOG.info("table(s) {} joined the capture since the last snapshot: snapshotting them while streaming",
                            done.missing(tables));
                    snapshotted = done.tables();
                    later.addAll(done.missing(tables));
                }
            }
            if (config.snapshot()) {
                tables.stream().filter(resnapshot::contains).filter(t -> !later.contains(t)).forEach(later::add);
            }
            resnapshot.removeAll(tables);
            captured = List.copyOf(tables);
            if (slot.active()) {
                throw new SlotBusyException(slot);
            }
            if (stopping) {
                return;
            }
            BackgroundSnapshots snapshots = new BackgroundSnapshots(config, connector, metrics, snapshotted);
            background = snapshots;
            ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "table-refresh");
                thread.setDaemon(true);
                return thread;
            });
            try {
                if (config.tables().isEmpty() && !config.tablesRefresh().isZero()) {
                    long every = config.tablesRefresh().toMillis();
                    refresher.scheduleWithFixedDelay(() -> captureNewTables(publisher, snapshots), every, every, TimeUnit.MILLISECONDS);
                }
                snapshots.request(later);
                ReplicationStreamer s = new ReplicationStreamer(config, connector, assembler, publisher, metrics);
                streamer = s;
                s.run(slot.confirmedFlush(), at -> health.set(Health.ready("streaming from slot " + config.slot())));
            } finally {
                refresher.shutdownNow();
                background = null;
                snapshots.close();
            }
        } finally {
            streamer = null;
            health.set(Health.notReady(stopping ? "stopped" : "restarting"));
        }
    }

    /**
     * Under {@code POSTGRES_CDC_TABLES=*}: a table created since start (with a primary key or replica identity) gets
     * its topic, joins the publication, and is snapshotted while streaming goes on (unless POSTGRES_CDC_SNAPSHOT is
     * false); its changes from the publication on are streamed by the slot.
     */
    private void captureNewTables(KafkaPublisher publisher, BackgroundSnapshots snapshots) {
        try {
            List<String> now = setup.resolveTables();
            List<String> added = now.stream().filter(t -> !captured.contains(t)).toList();
            if (added.isEmpty()) {
                return;
            }
            LOG.info("new table(s) {} in schema {}: capturing them", added, config.schema());
            publisher.ensureTopics(added.stream().map(t -> config.routing().topicFor(config.schema(), t)).distinct().toList());
            setup.ensurePublication(now);
            captured = List.copyOf(now);
            if (config.snapshot()) {
                snapshots.request(added);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("looking for new tables in schema {} failed ({}); trying again in {}", config.schema(), Errors.describe(e),
                    config.tablesRefresh());
        }
    }

    private void createSlotAndSnapshot(List<String> tables, ChangeAssembler assembler, CatalogLookups catalog,
                                       KafkaPublisher publisher, SnapshotStateTopic state) throws Exception {
        try (Connection replication = connector.replication(); Connection snapshot = connector.connect()) {
            ReplicationSlotInfo slot = replication.unwrap(PGConnection.class).getReplicationAPI()
                    .createReplicationSlot().logical()
                    .withSlotName(config.slot())
                    .withOutputPlugin("pgoutput")
                    .make();
            Lsn consistentPoint = Lsn.parse(slot.getConsistentPoint().asString());
            LOG.info("created replication slot {} at consistent point {}", config.slot(), consistentPoint);
            if (!config.snapshot()) {
                return;
            }
            // The exported snapshot lives only while the slot's connection stays idle: import it first.
            snapshot.setAutoCommit(false);
            try (Statement s = snapshot.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                s.execute("SET TRANSACTION SNAPSHOT '" + slot.getSnapshotName().replace("'", "''") + "'");
            }
            replication.close();
            health.set(Health.notReady("initial snapshot of " + tables.size() + " tables"));
            long rows = new Snapshotter(config, publisher, assembler, catalog, metrics).run(snapshot, tables, consistentPoint, Snapshotter.Facts.NEW_SLOT);
            snapshot.commit();
            state.markComplete(consistentPoint, rows, tables);
        }
    }

    /**
     * Snapshots the tables of a slot that exists, which is kept, never dropped: it holds every change since its
     * position. That is a slot with no completed snapshot recorded (created beforehand, as the seed's cdc-setup does,
     * or left by a crash mid-snapshot). The rows are read now, in one transaction, with the versions of the slot's
     * position, below every change the slot will stream; streaming from that position then replays what changed
     * meanwhile over the snapshot.
     *
     * @param tables every table captured, recorded as snapshotted once this completes
     */
    private void snapshotAtSlotPosition(CdcSetup.SlotState slot, List<String> tables, ChangeAssembler assembler,
                                        CatalogLookups catalog, KafkaPublisher publisher, SnapshotStateTopic state) throws Exception {
        Lsn position = slot.confirmedFlush();
        LOG.info("snapshotting {} at the versions of slot {}'s position {}, then streaming from there", tables, config.slot(), position);
        try (Connection snapshot = connector.connect()) {
            snapshot.setAutoCommit(false);
            try (Statement s = snapshot.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            health.set(Health.notReady("snapshot of " + tables.size() + " table(s) (slot " + config.slot() + " kept)"));
            long rows = new Snapshotter(config, publisher, assembler, catalog, metrics).run(snapshot, tables, position, Snapshotter.Facts.KEPT_SLOT);
            snapshot.commit();
            state.markComplete(position, rows, tables);
        }
    }

    /** Another process streams from the slot, or holds its lock: this one waits as a standby. */
    public static final class SlotBusyException extends RuntimeException {
        SlotBusyException(CdcSetup.SlotState slot) {
            this("replication slot is active in another process (pid " + slot.activePid() + "); waiting as a standby until it is free");
        }

        SlotBusyException(String message) {
            super(message);
        }
    }

    /** PostgreSQL removed WAL the slot still needed: the changes in it are gone, and only a new snapshot recovers. */
    public static final class SlotLostException extends RuntimeException {
        SlotLostException(String slot) {
            super("replication slot " + slot + " is lost: PostgreSQL removed WAL it still needed (max_slot_wal_keep_size), so "
                    + "changes since its position are gone. Re-snapshot: stop the wal-producer, SELECT pg_drop_replication_slot('"
                    + slot + "'); and start it again (README, Operations)");
        }
    }

    /** Shown on /ready while the supervisor waits to retry. */
    public void failed(String why) {
        health.set(Health.notReady(why));
    }
}

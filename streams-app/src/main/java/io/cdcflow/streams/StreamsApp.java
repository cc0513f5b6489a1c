package io.cdcflow.streams;

import io.cdcflow.common.ops.Backoff;
import io.cdcflow.common.ops.Health;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.common.ops.OpsServer;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SchemaPublisher;
import io.cdcflow.common.schema.SchemaTopicReader;
import io.cdcflow.streams.api.FactQuery;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.facts.FactPlanner;
import io.cdcflow.streams.facts.FactPlans;
import io.cdcflow.streams.facts.FactSchemas;
import io.cdcflow.streams.facts.FactsFile;
import io.cdcflow.streams.topology.FactStateNames;
import io.cdcflow.streams.topology.FactTopology;
import io.cdcflow.streams.topology.JoinPaths;
import io.cdcflow.streams.topology.OutputSchemas;
import io.cdcflow.streams.topology.PublishedOutputSchemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running streams-app: reads the facts file, waits until the schema topic describes every source table it
 * reads, plans the facts against those schemas, then runs Kafka Streams with their topology; and the HTTP endpoints.
 */
public final class StreamsApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);
    private static final Duration WAIT_LOG_INTERVAL = Duration.ofSeconds(10);
    private static final int COMMIT_INTERVAL_MS = 200;

    private final StreamsAppConfig config;
    private final Metrics metrics;
    private final FactsFile facts;
    private final FactSchemas factSchemas;
    private final OpsServer ops;
    private final SchemaTopicReader schemaReader;
    private final KafkaProducer<byte[], byte[]> schemaProducer;
    private volatile KafkaStreams streams;
    private volatile Topology topology;
    private volatile FactQuery query;
    private volatile String waitingFor = "starting";
    private volatile boolean closed;
    private volatile String fatalError;
    private volatile java.util.function.Consumer<String> onFatal = reason -> { };
    private final RepeatedFailures failures = new RepeatedFailures(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)));
    private final Metrics.Counter offsetsOutOfRange;
    private volatile HeapWatch heapWatch;
    /** Where the source tables' snapshots stand, for the local joins ({@link SnapshotWatch} keeps it up to date). */
    private final io.cdcflow.streams.topology.SnapshotPositions snapshotPositions = new io.cdcflow.streams.topology.SnapshotPositions();
    private volatile SnapshotWatch snapshotWatch;
    /** Whether {@link #holdForExport} paused the stream threads. */
    private boolean heldForExport;
    /** The LSN of the export {@link #heldForExport} waits for. */
    private long heldAt;
    /** Whether the stream threads were started: not while the first export they would see runs. */
    private boolean streamsStarted;
    /** Passes a facts export's chunks on to the facts' topics, or null when none is read. */
    private volatile ExportRelay exportRelay;
    /** How far a start has restored the state stores from Kafka: logged, in metrics and in {@code /ready}. */
    private final RestoreProgress restoreProgress;

    /** @throws io.cdcflow.streams.facts.FactsException when the facts file cannot be read or parsed */
    public StreamsApp(StreamsAppConfig config, Metrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.offsetsOutOfRange = metrics.counter("streams_offset_out_of_range_total",
                "Times the app stopped because a committed source offset no longer exists in Kafka");
        this.restoreProgress = new RestoreProgress(metrics, line -> LOG.info("{}", line));
        this.facts = FactsFile.load(config.factsFile());
        this.factSchemas = new FactSchemas(facts, config.schema());
        Map<String, Object> client = client(config);
        schemaReader = new SchemaTopicReader(config.schemaTopic(), client);
        Map<String, Object> producer = new HashMap<>(client);
        producer.keySet().retainAll(ProducerConfig.configNames());
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        schemaProducer = new KafkaProducer<>(producer);
        metrics.collector(() -> streams == null ? List.of() : StreamsMetrics.samples(streams.metrics()));
        ops = OpsServer.start(config.httpAddress(), config.httpTls(), metrics, this::health, app -> {
            app.before("/facts/*", config.httpAuth()::require);
            app.before("/topology", config.httpAuth()::require);
            app.get("/topology", ctx -> {
                Topology t = topology;
                ctx.status(t == null ? 503 : 200).contentType("text/plain").result(t == null ? waitingFor : t.describe().toString());
            });
            app.get("/facts/{fact}/{key}", ctx -> {
                FactQuery q = query;
                if (q == null) {
                    ctx.status(503).json(Map.of("error", "not running yet: " + waitingFor));
                } else {
                    q.handle(ctx);
                }
            });
        });
    }

    public static Properties properties(StreamsAppConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
        // A task's inputs (a foreign-key join's subscriptions and its table, or its responses and its rows) may be
        // processed in any order: the join resolves each response against the current row, so the results converge
        // all the same. Waiting for every input partition to have data first took a tenth of the stream thread's time.
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        // Every store update goes downstream at once instead of through the record cache, which took a seventh of the
        // stream thread's time when most keys change once (a backfill), and no fact waits for its flush at each hop.
        // A row updated many times a second sends each update on; KAFKA_STATESTORE_CACHE_MAX_BYTES brings the cache
        // back to coalesce them.
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
        // Small fetches per partition: with a backlog in the source topics, 1 MB fetches of them queued ahead of the
        // join topics' records in the consumer, and the first facts of a backfill came 3 to 7 s after start instead of 1
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), 64 * 1024);
        if (config.exactlyOnce()) {
            // Under exactly-once nothing the app sends is read before its transaction commits, and the commit sends
            // every batch at once: lingering up to half the commit interval delays no fact and fills batches of 128 KB
            // instead of about 5 ms' worth (each new batch starts an lz4 frame and a produce request). The join stage:
            // 24,800 and 25,300 events/s against 18,900 and 22,300 with 5 ms, the broker at 8.3 CPU s against 11 to 14
            p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), COMMIT_INTERVAL_MS / 2);
            p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 128 * 1024);
        } else {
            p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5); // each hop is read as soon as sent
        }
        // The app's own topics compressed as the wal-producer's are: a 64 KB fetch then holds thousands of a small
        // table's copies instead of about 700, so the copies keep pace with the (compressed) source rows they should
        // precede: a backfill sent order_fact 1.2 times per order instead of 1.6, and the broker took less CPU. The join
        // stage's stream threads showed no cost of it; the broker compressing instead (the topics' compression.type)
        // cost the broker more than it saved (bench/README, eleventh and twelfth sessions)
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        // KIP-892: a store's writes reach it when their changelog transaction commits, so a crash under exactly-once
        // replays the records since the last commit instead of marking every task corrupted and restoring all state
        p.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, true);
        // Kafka 5.0's default: the app has no global store, and without it Kafka Streams warns "Processing exception
        // handler is not enabled for the GlobalThread" for every store it opens, dozens of times per start
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        // the stores Kafka Streams makes for itself (a foreign-key join's subscriptions); FactTopology makes the others
        p.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG, config.stores() == StreamsAppConfig.Stores.MEMORY
                ? BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers.class : io.cdcflow.streams.topology.RocksStores.Dsl.class);
        p.putAll(config.kafkaClient());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.processingGuarantee());
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.standbyReplicas());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.numThreads());
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, config.advertisedAddress());
        if (!config.instanceId().isEmpty()) {
            p.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), config.instanceId());
        }
        return p;
    }

    /**
     * Waits for the source tables' schemas, plans the facts and starts Kafka Streams. Returns once started; returns
     * early when closed while waiting.
     *
     * @throws io.cdcflow.streams.facts.FactsException when a view cannot run against its tables' schemas
     * @throws StateFormat.OldStateException when the application's state was written by an earlier version's format
     */
    public void start() throws InterruptedException {
        Map<String, RowSchema> sources = awaitSchemas();
        if (sources == null) {
            return;
        }
        List<FactPlan> plans = new FactPlanner(config.schema(), sources::get).plan(facts);
        Map<String, String> exportable = new HashMap<>(facts.hashes());
        plans.stream().filter(p -> !p.meta().equals(io.cdcflow.common.schema.MetaColumns.DEFAULT)).forEach(p -> exportable.remove(p.name()));
        snapshotPositions.ownFacts(exportable);
        plans.forEach(p -> LOG.info("fact {}: {} -> topic {}", p.name(), FactPlans.describe(p), p.name()));
        if (config.localTables() != null) {
            JoinPaths.checkTables(plans, config.localTables(), "STREAMS_LOCAL_TABLES");
        }
        OutputSchemas schemas = new PublishedOutputSchemas(factSchemas, schemaReader,
                new SchemaPublisher(config.schemaTopic(), schemaProducer));
        Topology built;
        JoinPaths paths;
        try (Admin admin = Admin.create(admin(config))) {
            // the state's checks come first: a start they refuse leaves the local state as it was
            Set<String> existing = KafkaTopics.names(admin);
            StateFormat.checkFormat(client(config), config.applicationId(), facts.tables(), existing);
            paths = JoinPathChoice.choose(config, plans, existing, sources, table -> KafkaTopics.records(admin, config.inputTopic(table)));
            StateFormat.checkLayout(config.applicationId(), existing, plans, paths);
            Set<String> fromTopics = SourceStoreChoice.choose(config, plans, paths, existing, topic -> KafkaTopics.config(admin, topic));
            Map<String, String> own = FactStateNames.ownTopics(config, plans, paths, fromTopics);
            java.util.function.ToIntFunction<String> partitions = KafkaTopics.partitionCounts(admin, config, plans, own);
            built = FactTopology.build(config, plans, metrics, schemas, paths, fromTopics, partitions, snapshotPositions);
            OwnTopics.create(admin, config, own, partitions);
            if (config.factsSnapshotTopic() != null) {
                OwnTopics.createFactsSnapshot(admin, config.factsSnapshotTopic());
            }
            commitStartOffsets(admin, config, facts.tables());
        }
        if (config.stores() == StreamsAppConfig.Stores.MEMORY) {
            // before Kafka Streams opens the application's directory (it reads the stores it finds there at construction)
            removeLocalState(Path.of(config.stateDir(), config.applicationId()));
            watchHeap();
        }
        // before the stream threads: a start in the middle of a backfill holds rows from its first record on
        Set<String> joined = new java.util.TreeSet<>();
        plans.forEach(plan -> plan.joins().forEach(join -> joined.add(join.table())));
        SnapshotWatch watch = new SnapshotWatch(config.snapshotStateTopic(), config.schema(), config.applicationId(),
                client(config), joined, sources.keySet(), copies(config, plans, paths), snapshotPositions, new BackfillProgress(metrics));
        snapshotWatch = watch;
        watch.afterEachPass(this::holdForExport);
        watch.start();
        if (config.factsSnapshotTopic() != null) {
            ExportRelay relay = new ExportRelay(config.factsSnapshotTopic(), config.applicationId(), client(config), schemas,
                    snapshotPositions, metrics);
            exportRelay = relay;
            relay.start();
        }
        KafkaStreams started = new KafkaStreams(built, properties(config));
        started.setUncaughtExceptionHandler(this::onThreadFailure);
        started.setGlobalStateRestoreListener(restoreProgress);
        long startedAt = System.nanoTime();
        started.setStateListener((now, before) -> LOG.info("Kafka Streams {} -> {}, {} ms after its start", before, now,
                (System.nanoTime() - startedAt) / 1_000_000));
        synchronized (this) {
            if (closed) { // close() ran during the checks: what this start made since is undone here
                started.close();
                closeHeapWatch();
                watch.close();
                if (exportRelay != null) {
                    exportRelay.close();
                }
                return;
            }
            streams = started;
            topology = built;
            query = new FactQuery(started, config.advertisedAddress(), plans, config.httpAuth().token(), config.httpTls(), paths);
            holdForExport(); // starts the stream threads, unless an export of these facts runs: then once it completes
        }
    }

    /**
     * With the state in the heap, a heap still 90 % full after a collection is an error in the log (the first in
     * full, then a count a minute) and in {@code streams_heap_full_total}: the JVM would otherwise collect without end.
     */
    private void watchHeap() {
        Metrics.Counter full = metrics.counter("streams_heap_full_total",
                "Collections that left the heap over 90 % full while STREAMS_STATE_STORES=memory keeps the state there");
        io.cdcflow.common.ops.LogSampler log = new io.cdcflow.common.ops.LogSampler(LOG::error);
        long max = Runtime.getRuntime().maxMemory();
        LOG.info("STREAMS_STATE_STORES=memory: every state store is kept in the heap ({} MB at most)", max >> 20);
        heapWatch = new HeapWatch(0.9, used -> {
            full.inc();
            log.record("heap", String.format(java.util.Locale.ROOT, "the heap is %.0f %% full after garbage collection (%s, %d MB at most) "
                    + "with STREAMS_STATE_STORES=memory keeping every state store there: give the JVM more heap (-Xmx, or the "
                    + "container's memory) or set STREAMS_STATE_STORES=rocksdb", used.fraction() * 100, used.pool(), max >> 20));
        });
    }

    /** Ends the heap watch, if one was started (its thresholds are the JVM's). */
    private void closeHeapWatch() {
        HeapWatch watch = heapWatch;
        if (watch != null) {
            watch.close();
        }
    }

    /**
     * While a facts export of this application's facts runs in the wal-producer's snapshot, the stream threads wait
     * ({@link KafkaStreams#pause}): the export's rows land without them, and the fold of the snapshot into the state,
     * which changes made after it wait for anyway, would only take the machine from the snapshot. They resume once the
     * wal-producer records the snapshot complete. The relay of the export's chunks runs meanwhile.
     */
    private synchronized void holdForExport() {
        KafkaStreams s = streams;
        if (s == null || closed) {
            return;
        }
        io.cdcflow.common.kafka.FactsExport running = snapshotPositions.exportRunning();
        if (running != null && !heldForExport) {
            heldForExport = true;
            heldAt = running.lsn();
            if (streamsStarted) {
                s.pause();
            }
            LOG.info("the wal-producer's snapshot at {} exports the facts {}: {} (the facts land meanwhile; the snapshot is folded "
                    + "into the state after)", new io.cdcflow.common.event.Lsn(running.lsn()), running.facts().keySet(),
                    streamsStarted ? "processing waits until it completes" : "Kafka Streams starts once it completes");
        } else if (running == null) {
            // not started while an export ran from the first: the threads' start (group, tasks, their compiled code)
            // would take the machine from the snapshot too
            boolean resumed = streamsStarted;
            if (!streamsStarted) {
                streamsStarted = true;
                s.start();
            } else if (heldForExport) {
                s.resume();
            }
            if (heldForExport) {
                heldForExport = false;
                LOG.info("the facts export is complete: processing {}, folding the snapshot into the state", resumed ? "resumes" : "starts");
            }
        }
    }

    /**
     * With the state in the heap, the application's local directory is removed: RocksDB state an earlier start left
     * there would be stale by the time the setting came back (its checkpoint is not kept meanwhile), and a start
     * without it restores from the changelogs. Left alone when another process holds the directory's lock.
     */
    private static void removeLocalState(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            if (lock == null) {
                LOG.warn("STREAMS_STATE_STORES=memory: {} is locked by another process, left as it is", dir);
                return;
            }
            LOG.info("STREAMS_STATE_STORES=memory: the state is rebuilt from the changelogs at each start; removing the local state in {}", dir);
            try (var children = Files.list(dir)) {
                for (Path child : (Iterable<Path>) children::iterator) {
                    if (!child.getFileName().toString().equals(".lock")) {
                        org.apache.kafka.common.utils.Utils.delete(child.toFile());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the local state in " + dir + " (STREAMS_STATE_DIR): " + e.getMessage(), e);
        }
    }

    /**
     * Makes the topics the app owns ({@link OwnTopics}) for the facts' joins and the source tables their topics restore
     * ({@code fromTopics}), as a start does.
     */
    public static void createOwnTopics(StreamsAppConfig config, List<FactPlan> plans, JoinPaths paths, Set<String> fromTopics)
            throws InterruptedException {
        try (Admin admin = Admin.create(admin(config))) {
            Map<String, String> own = FactStateNames.ownTopics(config, plans, paths, fromTopics);
            OwnTopics.create(admin, config, own, KafkaTopics.partitionCounts(admin, config, plans, own));
        }
    }

    /**
     * Source topics are read with the offset reset policy "none" (changes retention deleted are never skipped): the
     * earliest offset is committed for every source partition the application has no offset for, so a new
     * application reads them from their beginning. Call before starting Kafka Streams on a topology of these tables.
     */
    public static void commitStartOffsets(StreamsAppConfig config, java.util.Collection<String> tables) throws InterruptedException {
        try (Admin admin = Admin.create(admin(config))) {
            commitStartOffsets(admin, config, tables);
        }
    }

    private static void commitStartOffsets(Admin admin, StreamsAppConfig config, java.util.Collection<String> tables) throws InterruptedException {
        SourceOffsets.commitStartWhereMissing(admin, config.applicationId(), tables.stream().map(config::inputTopic).distinct().toList());
    }

    /** Per small table joined inside each task: its copies' stores, each with its topic. */
    private static Map<String, Map<String, String>> copies(StreamsAppConfig config, List<FactPlan> plans, JoinPaths paths) {
        Map<String, Map<String, String>> copies = new HashMap<>();
        for (FactPlan plan : plans) {
            for (int j : paths.local(plan)) {
                String table = plan.joins().get(j).table();
                copies.computeIfAbsent(table, t -> new HashMap<>())
                        .put(FactStateNames.replicaStore(plan, table), FactStateNames.copyTopic(config, plan, table));
            }
        }
        return copies;
    }

    /** {@link #client} narrowed to an admin client's settings. */
    private static Map<String, Object> admin(StreamsAppConfig config) {
        Map<String, Object> admin = client(config);
        admin.keySet().retainAll(org.apache.kafka.clients.admin.AdminClientConfig.configNames());
        return admin;
    }

    /** The Kafka client settings (KAFKA_*) with the bootstrap servers: a new map, for each client to narrow to its own. */
    private static Map<String, Object> client(StreamsAppConfig config) {
        Map<String, Object> client = new HashMap<>(config.kafkaClient());
        client.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        return client;
    }

    /**
     * A stream thread failed. An error no retry can fix (a group used by another kind of client, a refused
     * authorization, ...) stops the app with one line naming the setting; anything else replaces the thread after a
     * pause that doubles while the same error repeats, logged in full once and then as a count.
     */
    private StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onThreadFailure(Throwable e) {
        String lost = SourceOffsets.outOfRange(e, config.applicationId());
        if (lost != null) { // the process stays up, not ready, saying why: restarting would not bring the changes back
            fatalError = lost;
            offsetsOutOfRange.inc();
            LOG.error("streams-app stopped: {}", lost);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        String fatal = FatalErrors.describe(e, config);
        if (fatal != null) {
            fatalError = fatal;
            LOG.error("streams-app cannot go on: {}", fatal);
            onFatal.accept(fatal);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        Duration pause = failures.next(e.toString());
        if (failures.repeats() == 1) {
            LOG.error("stream thread failed, replacing it in {} ms", pause.toMillis(), e);
        } else {
            LOG.error("stream thread failed again ({} times in a row): {}; replacing it in {} ms", failures.repeats(), e, pause.toMillis());
        }
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** Called once with the reason when the app stops for an error no retry can fix. */
    public void onFatal(java.util.function.Consumer<String> listener) {
        this.onFatal = listener;
    }

    /** The newest schema of every source table, read from the schema topic; waits while one is missing. */
    private Map<String, RowSchema> awaitSchemas() throws InterruptedException {
        long nextLog = 0;
        while (!closed) {
            Map<String, RowSchema> found = new LinkedHashMap<>();
            List<String> missing = new ArrayList<>();
            try {
                schemaReader.refresh();
                for (String table : facts.tables()) {
                    RowSchema schema = schemaReader.latest(factSchemas.subject(table));
                    if (schema == null) {
                        missing.add(factSchemas.subject(table));
                    } else {
                        found.put(table, schema);
                    }
                }
                if (missing.isEmpty()) {
                    waitingFor = "planning";
                    return found;
                }
                waitingFor = "waiting for the schemas of " + missing + " in " + config.schemaTopic()
                        + " (published by the wal-producer when it captures these tables)";
            } catch (SchemaTopicReader.UnavailableException e) {
                waitingFor = "waiting for Kafka: " + e.getMessage();
            }
            if (System.nanoTime() >= nextLog) {
                LOG.warn("{}", waitingFor);
                nextLog = System.nanoTime() + WAIT_LOG_INTERVAL.toNanos();
            }
            Thread.sleep(500);
        }
        return null;
    }

    public KafkaStreams.State state() {
        KafkaStreams s = streams;
        return s == null ? KafkaStreams.State.CREATED : s.state();
    }

    /** The LSN of the export the stream threads wait for, or null when they do not wait. */
    private synchronized Long heldFor() {
        return heldForExport ? heldAt : null;
    }

    public int httpPort() {
        return ops.port();
    }

    public Health health() {
        if (fatalError != null) {
            return Health.notReady("stopped: " + fatalError);
        }
        KafkaStreams s = streams;
        if (s == null) {
            return Health.notReady(waitingFor);
        }
        KafkaStreams.State state = s.state();
        Long waitsFor = heldFor();
        if (waitsFor != null) {
            return Health.notReady("waiting for the wal-producer's facts export at " + new io.cdcflow.common.event.Lsn(waitsFor)
                    + " to complete (its facts land meanwhile; the snapshot is folded into the state after); Kafka Streams is " + state);
        }
        if (state == KafkaStreams.State.RUNNING) {
            return Health.ready("RUNNING");
        }
        String restoring = restoreProgress.line();
        return Health.notReady("Kafka Streams is " + state + (restoring == null ? "" : ", restoring its state stores from Kafka: " + restoring));
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        KafkaStreams s = streams;
        if (s != null) {
            // leaving the group hands this instance's partitions to the others at once, instead of after its session expires
            s.close(CloseOptions.timeout(Duration.ofSeconds(30)).withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        }
        ops.close();
        closeHeapWatch();
        SnapshotWatch watch = snapshotWatch;
        if (watch != null) {
            watch.close();
        }
        ExportRelay relay = exportRelay;
        if (relay != null) {
            relay.close();
        }
        schemaProducer.close(Duration.ofSeconds(5));
        schemaReader.close();
    }
}
